using System.Runtime.CompilerServices;

namespace EnvoyGovern.ExtProc.Waf.Detection;

/// <summary>
/// Splits input into SQL tokens without allocating. It can start inside a string (the quote context:
/// the value was pasted between quotes) and reads comments the ANSI way ('--' always starts one, '#' is
/// an operator) or the MySQL way ('--' needs a following space, '#' starts a comment). Every step
/// consumes at least one character, so a pass is linear in the input.
/// </summary>
internal ref struct SqlTokenizer
{
    private const int MaxWord = 32;

    // Bits 0-63 and 64-127 of the ASCII word chars: '$' and '0'-'9'; 'A'-'Z', '_' and 'a'-'z'.
    private const ulong WordCharsLow = (1UL << '$') | (0x3FFUL << '0');
    private const ulong WordCharsHigh = (0x3FFFFFFUL << ('A' - 64)) | (1UL << ('_' - 64)) | (0x3FFFFFFUL << ('a' - 64));

    private readonly ReadOnlySpan<char> _s;
    private readonly char _quoteContext;
    private readonly bool _mySql;
    private int _pos;

    public SqlTokenizer(ReadOnlySpan<char> input, char quoteContext, bool mySql)
    {
        _s = input;
        _quoteContext = quoteContext;
        _mySql = mySql;
        _pos = quoteContext == '\0' ? 0 : -1;
    }

    /// <summary>Reads the next token; false at the end of the input.</summary>
    public bool Next(out SqlToken token)
    {
        token = default;
        if (_pos < 0)
        {
            _pos = ReadString(0, _quoteContext, '\0', ref token);
            return true;
        }

        while (_pos < _s.Length)
        {
            var c = _s[_pos];
            if (IsSpace(c))
            {
                _pos++;
                continue;
            }

            var start = _pos;
            _pos = Read(start, c, ref token);
            if (token.Type != SqlTokenType.None)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSpace(char c) => c is <= ' ' or '\u00a0' or '\u007f';

    // Digits, letters, '_', '$', and every char from U+0080 but the no-break space. By bit masks: it runs for every char
    // of every word.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsWordChar(char c) => c < 128
        ? (((c < 64 ? WordCharsLow : WordCharsHigh) >> (c & 63)) & 1) != 0
        : c != '\u00a0';

    // Returns the position after the token; leaves token.Type None for characters SQL ignores here.
    private int Read(int start, char c, ref SqlToken token)
    {
        switch (c)
        {
            case '\'' or '"':
                return ReadString(start + 1, c, c, ref token);
            case '`':
                return ReadDelimited(start, '`', SqlTokenType.Bareword, ref token);
            case '[':
                return ReadDelimited(start, ']', SqlTokenType.Bareword, ref token);
            case '(' or ')' or ',' or ';' or '{' or '}' or '.' or '\\':
                if (c == '.' && start + 1 < _s.Length && char.IsAsciiDigit(_s[start + 1]))
                {
                    return ReadNumber(start, ref token);
                }

                return Single(start, c, ref token);
            case ':':
                return start + 1 < _s.Length && _s[start + 1] is ':' or '='
                    ? Set(ref token, SqlTokenType.Operator, start, 2)
                    : Single(start, SqlTokenType.Colon, ref token);
            case '@':
                return ReadVariable(start, ref token);
            case '#':
                return _mySql ? ReadLineComment(start, ref token) : Set(ref token, SqlTokenType.Operator, start, 1);
            case '-':
                if (start + 1 < _s.Length && _s[start + 1] == '-'
                    && (!_mySql || start + 2 >= _s.Length || IsSpace(_s[start + 2])))
                {
                    return ReadLineComment(start, ref token);
                }

                return Set(ref token, SqlTokenType.Operator, start, 1);
            case '/':
                return start + 1 < _s.Length && _s[start + 1] == '*'
                    ? ReadBlockComment(start, ref token)
                    : Set(ref token, SqlTokenType.Operator, start, 1);
            case '=' or '<' or '>' or '!' or '|' or '&' or '^' or '~' or '+' or '*' or '%':
                return ReadOperator(start, ref token);
            default:
                if (char.IsAsciiDigit(c))
                {
                    return ReadNumber(start, ref token);
                }

                return IsWordChar(c) ? ReadWord(start, ref token) : start + 1;
        }
    }

    private static int Set(ref SqlToken token, char type, int start, int length)
    {
        token.Type = type;
        token.Start = start;
        token.Length = length;
        return start + length;
    }

    private static int Single(int start, char type, ref SqlToken token) => Set(ref token, type, start, 1);

    // Body starts at 'from'; a backslash escapes the next character and a doubled quote is one quote.
    private int ReadString(int from, char quote, char open, ref SqlToken token)
    {
        var i = from;
        while (i < _s.Length)
        {
            var c = _s[i];
            if (c == '\\')
            {
                i += 2;
                continue;
            }

            if (c == quote)
            {
                if (i + 1 < _s.Length && _s[i + 1] == quote)
                {
                    i += 2;
                    continue;
                }

                token.CloseQuote = quote;
                i++;
                break;
            }

            i++;
        }

        i = Math.Min(i, _s.Length);
        token.OpenQuote = open;
        var start = open == '\0' ? from : from - 1;
        return Set(ref token, SqlTokenType.String, start, i - start);
    }

    private int ReadDelimited(int start, char close, char type, ref SqlToken token)
    {
        var end = _s[(start + 1)..].IndexOf(close);
        var length = end < 0 ? _s.Length - start : end + 2;
        return Set(ref token, type, start, length);
    }

    private int ReadVariable(int start, ref SqlToken token)
    {
        var i = start + 1;
        if (i < _s.Length && _s[i] == '@')
        {
            i++;
        }

        if (i < _s.Length && _s[i] is '\'' or '"' or '`')
        {
            var quoted = new SqlToken();
            i = ReadString(i + 1, _s[i], _s[i], ref quoted);
        }
        else
        {
            while (i < _s.Length && (IsWordChar(_s[i]) || _s[i] == '.'))
            {
                i++;
            }
        }

        return Set(ref token, SqlTokenType.Variable, start, i - start);
    }

    private int ReadLineComment(int start, ref SqlToken token)
    {
        var end = _s[start..].IndexOf('\n');
        return Set(ref token, SqlTokenType.Comment, start, end < 0 ? _s.Length - start : end);
    }

    // A closed comment that opens another comment inside (PostgreSQL nests them, MySQL does not: parsers
    // disagree on where it ends) or a MySQL conditional comment '/*!' (MySQL runs its body) is evil.
    private int ReadBlockComment(int start, ref SqlToken token)
    {
        var body = _s[(start + 2)..];
        var close = body.IndexOf("*/");
        var length = close < 0 ? _s.Length - start : close + 4;
        // Only a closed comment: an unclosed one with "/*" inside is a glob ("doc/*.txt doc/*.md").
        var evil = (body.Length > 0 && body[0] == '!') || (close >= 0 && body[..(close + 1)].IndexOf("/*") >= 0);
        return Set(ref token, evil ? SqlTokenType.Evil : SqlTokenType.Comment, start, length);
    }

    private int ReadOperator(int start, ref SqlToken token)
    {
        var c = _s[start];
        var n = start + 1 < _s.Length ? _s[start + 1] : '\0';
        if ((c == '|' && n == '|') || (c == '&' && n == '&'))
        {
            return Set(ref token, SqlTokenType.Logic, start, 2);
        }

        if (c == '<' && n == '=' && start + 2 < _s.Length && _s[start + 2] == '>')
        {
            return Set(ref token, SqlTokenType.Operator, start, 3);
        }

        var two = (c, n) switch
        {
            ('<', '=' or '>' or '<') or ('>', '=' or '>') or ('!', '=' or '<' or '>') or ('=', '=') => true,
            _ => false,
        };
        return Set(ref token, SqlTokenType.Operator, start, two ? 2 : 1);
    }

    private int ReadNumber(int start, ref SqlToken token)
    {
        var i = start;
        if (_s[i] == '0' && i + 2 < _s.Length && _s[i + 1] is 'x' or 'X' or 'b' or 'B' && char.IsAsciiHexDigit(_s[i + 2]))
        {
            i += 2;
            while (i < _s.Length && char.IsAsciiHexDigit(_s[i]))
            {
                i++;
            }

            return Set(ref token, SqlTokenType.Number, start, i - start);
        }

        i = SkipDigits(i);
        if (i < _s.Length && _s[i] == '.')
        {
            i = SkipDigits(i + 1);
        }

        if (i + 1 < _s.Length && _s[i] is 'e' or 'E' && (char.IsAsciiDigit(_s[i + 1]) || _s[i + 1] is '+' or '-'))
        {
            i = SkipDigits(i + 2);
        }

        return Set(ref token, SqlTokenType.Number, start, i - start);
    }

    private int SkipDigits(int i)
    {
        while (i < _s.Length && char.IsAsciiDigit(_s[i]))
        {
            i++;
        }

        return i;
    }

    private int ReadWord(int start, ref SqlToken token)
    {
        // x'41', b'01' are numbers and n'text' a string, whatever the quote context.
        if (start + 1 < _s.Length && _s[start + 1] == '\'' && (start + 2 >= _s.Length || _s[start + 2] != '\''))
        {
            var prefix = char.ToLowerInvariant(_s[start]);
            if (prefix is 'x' or 'b' or 'n' && (start == 0 || !IsWordChar(_s[start - 1])))
            {
                var end = ReadString(start + 2, '\'', '\'', ref token);
                token.Type = prefix == 'n' ? SqlTokenType.String : SqlTokenType.Number;
                token.Start = start;
                token.Length = end - start;
                return end;
            }
        }

        var firstEnd = start;
        while (firstEnd < _s.Length && IsWordChar(_s[firstEnd]))
        {
            firstEnd++;
        }

        // The word is classified where it stands; only a glued empty comment (below) needs the chars copied.
        var type = firstEnd - start <= MaxWord ? SqlKeywords.Classify(_s[start..firstEnd]) : SqlTokenType.None;
        var i = firstEnd;
        if (type == SqlTokenType.None && firstEnd - start < MaxWord && EmptyCommentThenWord(firstEnd))
        {
            type = ReadJoinedWord(start, firstEnd, out i);
            if (type == SqlTokenType.None)
            {
                i = firstEnd;
            }
        }

        if (type is SqlTokenType.Function or SqlKeywords.DangerousFunction)
        {
            var call = NextNonSpace(i) == '(';
            token.Dangerous = call && type == SqlKeywords.DangerousFunction;
            type = call ? SqlTokenType.Function : SqlTokenType.Bareword;
        }

        return Set(ref token, type == SqlTokenType.None ? SqlTokenType.Bareword : type, start, i - start);
    }

    // UN/**/ION: an empty comment glued between word characters joins them (filters that strip comments before the
    // query runs turn it into UNION). UNION/**/SELECT stays two words: a first word that is a keyword is not joined
    // (the caller checks it). Past MaxWord no keyword can come of it, which keeps rescans of a failed join bounded.
    private readonly char ReadJoinedWord(int start, int firstEnd, out int end)
    {
        Span<char> joined = stackalloc char[MaxWord];
        _s[start..firstEnd].CopyTo(joined);
        var length = firstEnd - start;
        var i = firstEnd;
        while (length < MaxWord && EmptyCommentThenWord(i))
        {
            for (i += 4; i < _s.Length && IsWordChar(_s[i]); i++, length++)
            {
                if (length < MaxWord)
                {
                    joined[length] = _s[i];
                }
            }
        }

        end = i;
        return length <= MaxWord ? SqlKeywords.Classify(joined[..length]) : SqlTokenType.None;
    }

    private readonly bool EmptyCommentThenWord(int i) =>
        i + 4 < _s.Length && _s[i] == '/' && _s[i + 1] == '*' && _s[i + 2] == '*' && _s[i + 3] == '/' && IsWordChar(_s[i + 4]);

    private readonly char NextNonSpace(int i)
    {
        while (i < _s.Length && IsSpace(_s[i]))
        {
            i++;
        }

        return i < _s.Length ? _s[i] : '\0';
    }
}

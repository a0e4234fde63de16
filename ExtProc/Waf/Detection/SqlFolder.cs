namespace EnvoyGovern.ExtProc.Waf.Detection;

/// <summary>
/// Reduces a token stream to the few tokens that show its SQL shape: leading '(' and signs go,
/// comments between tokens go (UNION/**/SELECT is UNION SELECT), adjacent strings merge (ANSI
/// concatenation), number-arithmetic-number becomes one number, two-word keywords become one token
/// (UNION ALL, ORDER BY, WAITFOR DELAY, NOT LIKE, INTO OUTFILE), a.b names become one word, and runs
/// of '(' or ')' become one.
/// </summary>
internal static class SqlFolder
{
    /// <summary>Tokens in a fingerprint.</summary>
    public const int MaxTokens = 5;

    /// <summary>
    /// Folds until <paramref name="folded"/> holds one token more than a fingerprint (so merges into the
    /// last fingerprint token are done) or the input ends. Returns the number of folded tokens.
    /// </summary>
    public static int Fold(ReadOnlySpan<char> input, ref SqlTokenizer tokenizer, Span<SqlToken> folded, out SqlToken lastRaw)
    {
        var n = 0;
        lastRaw = default;
        SqlToken pending = default;
        while (n <= MaxTokens && tokenizer.Next(out var token))
        {
            lastRaw = token;
            if (pending.Type == SqlTokenType.Comment)
            {
                // A block comment followed by more SQL is whitespace; a line comment ends a line of it.
                if (input[pending.Start] != '/')
                {
                    folded[n++] = pending;
                }

                pending = default;
                if (n > MaxTokens)
                {
                    break;
                }
            }

            if (token.Type == SqlTokenType.Comment)
            {
                pending = token;
                continue;
            }

            if (n == 0 && (token.Type == SqlTokenType.LeftParen || IsUnary(input, token)))
            {
                continue;
            }

            n = Add(input, folded, n, token);
        }

        if (pending.Type == SqlTokenType.Comment && n <= MaxTokens)
        {
            folded[n++] = pending;
        }

        return n;
    }

    private static int Add(ReadOnlySpan<char> input, Span<SqlToken> folded, int n, SqlToken token)
    {
        if (n == 0)
        {
            folded[0] = token;
            return 1;
        }

        ref var last = ref folded[n - 1];
        switch (token.Type)
        {
            case SqlTokenType.String when last.Type == SqlTokenType.String:
                Extend(ref last, token);
                last.CloseQuote = token.CloseQuote;
                return n;
            case SqlTokenType.Semicolon when last.Type == SqlTokenType.Semicolon:
            case SqlTokenType.Dot when last.Type == SqlTokenType.Dot:
            case SqlTokenType.LeftParen when last.Type == SqlTokenType.LeftParen:
            case SqlTokenType.RightParen when last.Type == SqlTokenType.RightParen:
                return n;
            case SqlTokenType.Operator when IsUnary(input, token) && last.Type is SqlTokenType.Operator
                or SqlTokenType.Logic or SqlTokenType.LeftParen or SqlTokenType.Comma or SqlTokenType.Keyword
                or SqlTokenType.Expression or SqlTokenType.Union or SqlTokenType.Group:
                return n;
            case SqlTokenType.Bareword when n >= 2 && last.Type == SqlTokenType.Dot
                && folded[n - 2].Type == SqlTokenType.Bareword:
                Extend(ref folded[n - 2], token);
                return n - 1;
            case SqlTokenType.Number when n >= 2 && IsArithmetic(input, last) && folded[n - 2].Type == SqlTokenType.Number:
                Extend(ref folded[n - 2], token);
                return n - 1;
            default:
                break;
        }

        if (MergeTwoWords(input, ref last, token))
        {
            return n;
        }

        folded[n] = token;
        return n + 1;
    }

    private static void Extend(ref SqlToken into, SqlToken with) => into.Length = with.Start + with.Length - into.Start;

    private static bool MergeTwoWords(ReadOnlySpan<char> input, ref SqlToken last, SqlToken token)
    {
        if (!IsWord(last.Type) || !IsWord(token.Type))
        {
            return false;
        }

        var first = last.Text(input);
        if (last.Type == SqlTokenType.Bareword && !(first.Length == 5 && (Is(first, "group") || Is(first, "order"))))
        {
            return false; // of the first words below only these two are plain words; text is mostly plain words
        }

        var second = token.Text(input);
        char merged;
        if (Is(first, "union") && (Is(second, "all") || Is(second, "distinct")))
        {
            merged = SqlTokenType.Union;
        }
        else if ((Is(first, "group") || Is(first, "order")) && Is(second, "by"))
        {
            merged = SqlTokenType.Group;
        }
        else if (Is(first, "waitfor") && (Is(second, "delay") || Is(second, "time")))
        {
            merged = SqlTokenType.TSql;
        }
        else if ((Is(first, "not") && (second is { Length: > 1 } && SqlKeywords.Classify(second) == SqlTokenType.Operator
                     || Is(second, "in") || Is(second, "exists")))
                 || (Is(first, "is") && Is(second, "not"))
                 || (Is(first, "sounds") && Is(second, "like")))
        {
            merged = SqlTokenType.Operator;
        }
        else if (Is(first, "into") && (Is(second, "outfile") || Is(second, "dumpfile")))
        {
            merged = SqlTokenType.TSql;
        }
        else if ((Is(first, "insert") || Is(first, "replace")) && Is(second, "into")
                 || (Is(first, "delete") && Is(second, "from")))
        {
            merged = SqlTokenType.Expression;
        }
        else
        {
            return false;
        }

        last.Type = merged;
        Extend(ref last, token);
        return true;
    }

    private static bool IsWord(char type) => type is SqlTokenType.Bareword or SqlTokenType.Keyword or SqlTokenType.Union
        or SqlTokenType.Operator or SqlTokenType.TSql or SqlTokenType.Expression or SqlTokenType.Group;

    private static bool Is(ReadOnlySpan<char> word, string expected) => word.Equals(expected, StringComparison.OrdinalIgnoreCase);

    private static bool IsUnary(ReadOnlySpan<char> input, SqlToken token) =>
        token.Type == SqlTokenType.Operator && token.Length == 1 && input[token.Start] is '+' or '-' or '~' or '!';

    private static bool IsArithmetic(ReadOnlySpan<char> input, SqlToken token)
    {
        if (token.Type != SqlTokenType.Operator)
        {
            return false;
        }

        var text = token.Text(input);
        return (text.Length == 1 && text[0] is '+' or '-' or '*' or '/' or '%' or '^' or '|' or '&')
            || text is "<<" or ">>" || Is(text, "div") || Is(text, "mod");
    }
}

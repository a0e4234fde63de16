using System.Globalization;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>The pass over the pattern: one method per grammar level, each giving the node's <see cref="Info"/>.</summary>
internal static partial class RxLiteralAnalysis
{
    private sealed class Parser(string p)
    {
        private int _i;

        public bool AtEnd => _i == p.Length;

        public Info Alternation(bool ignoreCase)
        {
            var ic = ignoreCase;
            var result = Concatenation(ref ic);
            while (_i < p.Length && p[_i] == '|')
            {
                _i++;
                var branch = Concatenation(ref ic);
                result = new Info(Union(result.Exact, branch.Exact), Union(result.Required, branch.Required));
            }

            return result;
        }

        private Info Concatenation(ref bool ic)
        {
            var run = Literals.EmptyString;
            var whole = true;
            Literals? best = null;
            while (_i < p.Length && p[_i] != '|' && p[_i] != ')')
            {
                var atom = Quantified(Atom(ref ic));
                if (atom.Exact is { } exact && Product(run, exact) is { } joined)
                {
                    run = joined;
                    continue;
                }

                whole = false;
                best = Better(best, Info.Of(run).Required);
                best = Better(best, atom.Required);
                run = atom.Exact ?? Literals.EmptyString;
            }

            best = Better(best, Info.Of(run).Required);
            return new Info(whole ? run : null, best);
        }

        private Info Atom(ref bool ic)
        {
            var c = p[_i];
            switch (c)
            {
                case '(':
                    return Group(ref ic);
                case '[':
                    return Class(ic);
                case '\\':
                    return Escape(ic);
                case '.' or '^' or '$':
                    _i++;
                    return Info.Unknown;
                case '*' or '+' or '?':
                    throw new GiveUpException();
                case '{' when QuantifierAt(_i, out _, out _, out _):
                    throw new GiveUpException();
                default:
                    _i++;
                    return Literal(c, ic);
            }
        }

        private static Info Literal(char c, bool ic)
        {
            if (ic && c > '\x7F')
            {
                return Info.Unknown;
            }

            return Info.Of(new Literals([c.ToString()], ic && char.IsAsciiLetter(c)));
        }

        private Info Quantified(Info atom)
        {
            if (_i >= p.Length)
            {
                return atom;
            }

            int min;
            int max;
            switch (p[_i])
            {
                case '*':
                    (min, max) = (0, int.MaxValue);
                    _i++;
                    break;
                case '+':
                    (min, max) = (1, int.MaxValue);
                    _i++;
                    break;
                case '?':
                    (min, max) = (0, 1);
                    _i++;
                    break;
                case '{' when QuantifierAt(_i, out min, out max, out var end):
                    _i = end;
                    break;
                default:
                    return atom;
            }

            if (_i < p.Length && p[_i] is '?' or '+')
            {
                if (p[_i] == '+')
                {
                    throw new GiveUpException();
                }

                _i++;
            }

            if (min == 0)
            {
                return Info.Unknown;
            }

            return min == 1 && max == 1 ? atom : new Info(null, atom.Required);
        }

        // {n}, {n,} or {n,m}; anything else is a literal brace in .NET.
        private bool QuantifierAt(int at, out int min, out int max, out int end)
        {
            min = max = end = 0;
            var close = p.IndexOf('}', at);
            if (close < 0)
            {
                return false;
            }

            var body = p.AsSpan(at + 1, close - at - 1);
            var comma = body.IndexOf(',');
            var low = comma < 0 ? body : body[..comma];
            if (low.Length == 0 || !int.TryParse(low, NumberStyles.None, CultureInfo.InvariantCulture, out min))
            {
                return false;
            }

            if (comma < 0)
            {
                max = min;
            }
            else if (comma == body.Length - 1)
            {
                max = int.MaxValue;
            }
            else if (!int.TryParse(body[(comma + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out max))
            {
                return false;
            }

            end = close + 1;
            return true;
        }

        private Info Group(ref bool ic)
        {
            _i++;
            var inner = ic;
            var zeroWidth = false;
            if (_i < p.Length && p[_i] == '?')
            {
                _i++;
                var kind = _i < p.Length ? p[_i] : '\0';
                switch (kind)
                {
                    case ':' or '>':
                        _i++;
                        break;
                    case '=' or '!':
                        _i++;
                        zeroWidth = true;
                        break;
                    case '<' when _i + 1 < p.Length && p[_i + 1] is '=' or '!':
                        _i += 2;
                        zeroWidth = true;
                        break;
                    case '<' or '\'':
                        SkipGroupName(kind == '<' ? '>' : '\'');
                        break;
                    case '#':
                        _i = p.IndexOf(')', _i) is var close and >= 0 ? close + 1 : throw new GiveUpException();
                        return Info.Empty;
                    default:
                        if (!Options(ref inner, out var scoped))
                        {
                            throw new GiveUpException();
                        }

                        if (!scoped)
                        {
                            // (?i) applies to the rest of the enclosing group.
                            ic = inner;
                            return Info.Empty;
                        }

                        break;
                }
            }

            var body = Alternation(inner);
            if (_i >= p.Length || p[_i] != ')')
            {
                throw new GiveUpException();
            }

            _i++;
            return zeroWidth ? Info.Unknown : body;
        }

        private void SkipGroupName(char terminator)
        {
            var close = p.IndexOf(terminator, _i + 1);
            if (close < 0 || p.AsSpan(_i + 1, close - _i - 1).Contains('-'))
            {
                throw new GiveUpException();
            }

            _i = close + 1;
        }

        // (?imnsx-imnsx) or (?imnsx-imnsx: ...): true when recognised; scoped when a ':' body follows.
        private bool Options(ref bool ic, out bool scoped)
        {
            scoped = false;
            var on = true;
            for (; _i < p.Length; _i++)
            {
                switch (p[_i])
                {
                    case '-':
                        on = false;
                        break;
                    case 'i':
                        ic = on;
                        break;
                    case 'm' or 'n' or 's':
                        break;
                    case ')':
                        _i++;
                        return true;
                    case ':':
                        _i++;
                        scoped = true;
                        return true;
                    default:
                        return false;
                }
            }

            return false;
        }

        private Info Class(bool ic)
        {
            _i++;
            var negated = _i < p.Length && p[_i] == '^';
            if (negated)
            {
                _i++;
            }

            var chars = new HashSet<char>();
            var unknown = negated;
            var first = true;
            while (true)
            {
                if (_i >= p.Length)
                {
                    throw new GiveUpException();
                }

                if (p[_i] == ']' && !first)
                {
                    _i++;
                    break;
                }

                first = false;
                if (p[_i] == '-' && _i + 1 < p.Length && p[_i + 1] == '[')
                {
                    throw new GiveUpException();
                }

                var low = ClassChar();
                if (_i + 1 < p.Length && p[_i] == '-' && p[_i + 1] != ']')
                {
                    _i++;
                    var high = ClassChar();
                    if (low is null || high is null || high.Value - low.Value > 255)
                    {
                        unknown = true;
                        continue;
                    }

                    for (var c = low.Value; c <= high.Value; c++)
                    {
                        chars.Add(c);
                    }

                    continue;
                }

                if (low is null)
                {
                    unknown = true;
                }
                else
                {
                    chars.Add(low.Value);
                }
            }

            if (unknown || chars.Count > MaxClassChars || (ic && chars.Any(c => c > '\x7F')))
            {
                return Info.Unknown;
            }

            return Info.Of(new Literals([.. chars.Select(c => c.ToString())], ic && chars.Any(char.IsAsciiLetter)));
        }

        // One char of a class; null for a shorthand class (\d, \w, \p{..} ...).
        private char? ClassChar()
        {
            var c = p[_i++];
            if (c != '\\')
            {
                return c;
            }

            var e = p[_i++];
            switch (e)
            {
                case 'd' or 'D' or 'w' or 'W' or 's' or 'S':
                    return null;
                case 'p' or 'P':
                    SkipBraces();
                    return null;
                case 'b':
                    return '\b';
                default:
                    return EscapedChar(e);
            }
        }

        private Info Escape(bool ic)
        {
            _i++;
            var e = p[_i++];
            switch (e)
            {
                case 'b' or 'B' or 'A' or 'z' or 'Z' or 'G' or 'd' or 'D' or 'w' or 'W' or 's' or 'S':
                    return Info.Unknown;
                case 'p' or 'P':
                    SkipBraces();
                    return Info.Unknown;
                case 'k':
                    SkipGroupName(p[_i] == '<' ? '>' : '\'');
                    return Info.Unknown;
                case >= '1' and <= '9':
                    while (_i < p.Length && char.IsAsciiDigit(p[_i]))
                    {
                        _i++;
                    }

                    return Info.Unknown;
                default:
                    return Literal(EscapedChar(e), ic);
            }
        }

        // The char an escape (after the backslash) stands for; letters .NET does not know abandon the analysis.
        private char EscapedChar(char e)
        {
            switch (e)
            {
                case 't':
                    return '\t';
                case 'n':
                    return '\n';
                case 'r':
                    return '\r';
                case 'f':
                    return '\f';
                case 'v':
                    return '\v';
                case 'e':
                    return '\x1B';
                case 'a':
                    return '\a';
                case 'x':
                    return Hex(2);
                case 'u':
                    return Hex(4);
                case 'c':
                    return (char)(p[_i++] & 0x1F);
                case '0':
                    var value = 0;
                    for (var n = 0; n < 2 && _i < p.Length && p[_i] is >= '0' and <= '7'; n++)
                    {
                        value = (value * 8) + (p[_i++] - '0');
                    }

                    return (char)value;
                default:
                    return char.IsAsciiLetterOrDigit(e) ? throw new GiveUpException() : e;
            }
        }

        private char Hex(int digits)
        {
            if (_i + digits > p.Length || !int.TryParse(p.AsSpan(_i, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                throw new GiveUpException();
            }

            _i += digits;
            return (char)value;
        }

        private void SkipBraces()
        {
            if (_i >= p.Length || p[_i] != '{' || p.IndexOf('}', _i) is not (var close and >= 0))
            {
                throw new GiveUpException();
            }

            _i = close + 1;
        }
    }
}

using System.Globalization;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>The pass over the pattern: one method per grammar level, each giving the node's <see cref="Info"/>.</summary>
internal static partial class RxLiteralAnalysis
{
    private sealed class Parser(string p, CharMask absent, int maxStrings)
    {
        private int _i;

        public Parser(string p)
            : this(p, default, MaxStrings)
        {
        }

        // The analysis for a value without some chars also joins X? and a run with the start of the next atom; the
        // ordinary prefilters stay as they were measured (their literal sets would change shape).
        private bool Conditional => !absent.IsNone;

        /// <summary>The chars of the absent set met in the pattern's literals and classes.</summary>
        public CharMask Used { get; private set; }

        public bool AtEnd => _i == p.Length;

        public Info Alternation(bool ignoreCase)
        {
            var ic = ignoreCase;
            var result = Concatenation(ref ic);
            while (_i < p.Length && p[_i] == '|')
            {
                _i++;
                var branch = Concatenation(ref ic);
                if (branch.IsNever || result.IsNever)
                {
                    // A branch that matches nothing adds nothing to the alternation.
                    result = result.IsNever ? branch : result;
                    continue;
                }

                result = new Info(Union(result.Exact, branch.Exact, maxStrings), Union(result.Required, branch.Required, maxStrings))
                {
                    Prefix = Union(result.Starts, branch.Starts, maxStrings),
                };
            }

            return result;
        }

        private Info Concatenation(ref bool ic)
        {
            var run = Literals.EmptyString;
            var whole = true;
            var never = false;
            Literals? best = null;
            Literals? prefix = null;
            while (_i < p.Length && p[_i] != '|' && p[_i] != ')')
            {
                var atom = Quantified(Atom(ref ic));
                never |= atom.IsNever;
                if (atom.Exact is { } exact && Product(run, exact, maxStrings) is { } joined)
                {
                    run = joined;
                    continue;
                }

                // The run of fixed strings just before the atom, followed by the start of the atom's match, is
                // contiguous in every match: "g(?:cc.*|db )" needs gcc or gdb.
                var joinedStart = Conditional && atom.Starts is { } starts ? Product(run, starts, maxStrings) : run;
                prefix ??= whole ? joinedStart ?? run : null;
                whole = false;
                best = Better(best, Info.Of(run).Required);
                best = Better(best, joinedStart is null ? null : Info.Of(joinedStart).Required);
                best = Better(best, atom.Required);
                run = atom.Exact ?? Literals.EmptyString;
            }

            best = Better(best, Info.Of(run).Required);
            return never ? Info.Never : new Info(whole ? run : null, best) { Prefix = whole ? run : prefix };
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

        private Info Literal(char c, bool ic)
        {
            if (IsAbsent(c))
            {
                return Info.Never;
            }

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

            if (atom.IsNever)
            {
                return min == 0 ? Info.Empty : atom;
            }

            if (min == 0)
            {
                // X? matches exactly X's strings or none: "d(?:n)?f" joins to df, dnf.
                return Conditional && max == 1 && atom.Exact is { } optional && Union(optional, Literals.EmptyString, maxStrings) is { } exact
                    ? new Info(exact, null)
                    : Info.Unknown;
            }

            return min == 1 && max == 1 ? atom : new Info(null, atom.Required) { Prefix = atom.Starts };
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

                if (AsciiShorthand() is { } shorthand)
                {
                    chars.UnionWith(shorthand);
                    continue;
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

            if (!unknown && chars.RemoveWhere(IsAbsent) > 0 && chars.Count == 0)
            {
                return Info.Never;
            }

            if (unknown || chars.Count > MaxClassChars || (ic && chars.Any(c => c > '\x7F')))
            {
                return Info.Unknown;
            }

            return Info.Of(new Literals([.. chars.Select(c => c.ToString())], ic && chars.Any(char.IsAsciiLetter)));
        }

        // True for a char the value cannot hold (never a letter or digit: ignoring case changes nothing).
        private bool IsAbsent(char c)
        {
            if (c >= 128 || !absent.Overlaps(CharMask.Single(c)))
            {
                return false;
            }

            Used = Used.Union(CharMask.Single(c));
            return true;
        }

        // In a value without the absent chars (so ASCII only), \s and \d in a class are these chars; null elsewhere.
        private string? AsciiShorthand()
        {
            if (absent.IsNone || p[_i] != '\\' || _i + 2 >= p.Length || p[_i + 2] == '-')
            {
                return null;
            }

            return p[_i + 1] switch
            {
                's' => Advance(2, "\t\n\v\f\r "),
                'd' => Advance(2, "0123456789"),
                _ => null,
            };
        }

        private string Advance(int chars, string result)
        {
            _i += chars;
            return result;
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

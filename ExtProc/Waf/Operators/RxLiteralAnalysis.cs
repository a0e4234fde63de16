using System.Globalization;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>
/// Finds literal strings of which every match of a .NET pattern contains at least one, by one pass over the
/// pattern: a literal or small character class is a set of fixed strings; a sequence joins adjacent fixed
/// sets (<c>trac[ek]</c> gives <c>trace</c>, <c>track</c>) and keeps its most selective necessary set; an
/// alternation needs one of its branches' sets; a quantifier with minimum 0, <c>.</c>, a large or negated
/// class, a back reference or a lookaround requires nothing. Under <c>(?i)</c> the strings are compared
/// ignoring ASCII case, and a non-ASCII char of the pattern requires nothing. Any construct it does not know
/// (conditionals, balancing groups, <c>(?x)</c>) abandons the analysis: no prefilter, the regex always runs.
/// </summary>
internal static class RxLiteralAnalysis
{
    // Larger sets are dropped (the search gets slower and rejects less), and so are classes of more chars.
    private const int MaxStrings = 64;
    private const int MaxClassChars = 8;

    /// <summary>The necessary literals of <paramref name="pattern"/>, or null when none is known.</summary>
    public static Literals? Necessary(string pattern)
    {
        try
        {
            var parser = new Parser(pattern);
            var info = parser.Alternation(ignoreCase: false);
            return parser.AtEnd ? info.Required : null;
        }
        catch (GiveUpException)
        {
            return null;
        }
    }

    /// <summary>A set of strings; <paramref name="IgnoreCase"/> when they are compared ignoring ASCII case.</summary>
    internal sealed record Literals(HashSet<string> Set, bool IgnoreCase)
    {
        public static readonly Literals EmptyString = new([string.Empty], false);

        public bool HasEmpty => Set.Contains(string.Empty);

        public int MinLength => Set.Min(s => s.Length);
    }

    // Exact: the node matches only these strings (null: unknown). Required: one of these occurs in every match.
    private readonly record struct Info(Literals? Exact, Literals? Required)
    {
        public static readonly Info Unknown = new(null, null);
        public static readonly Info Empty = new(Literals.EmptyString, null);

        public static Info Of(Literals exact) => new(exact, exact.HasEmpty ? null : exact);
    }

    private sealed class GiveUpException : Exception;

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

    private static Literals? Union(Literals? a, Literals? b)
    {
        if (a is null || b is null || a.Set.Count + b.Set.Count > MaxStrings)
        {
            return null;
        }

        return new Literals([.. a.Set, .. b.Set], a.IgnoreCase || b.IgnoreCase);
    }

    private static Literals? Product(Literals a, Literals b)
    {
        if (a.Set.Count * b.Set.Count > MaxStrings)
        {
            return null;
        }

        var joined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var left in a.Set)
        {
            foreach (var right in b.Set)
            {
                joined.Add(left + right);
            }
        }

        return new Literals(joined, a.IgnoreCase || b.IgnoreCase);
    }

    // The more selective set: longer shortest string, then fewer strings.
    private static Literals? Better(Literals? a, Literals? b)
    {
        if (a is null || b is null)
        {
            return a ?? b;
        }

        var (la, lb) = (a.MinLength, b.MinLength);
        return la != lb ? (la > lb ? a : b) : (a.Set.Count <= b.Set.Count ? a : b);
    }
}

using System.Globalization;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>The pass over the pattern: one method per grammar level, each giving the node's <see cref="Info"/>.</summary>
internal static partial class RxLiteralAnalysis
{
    private sealed partial class Parser(string p, CharMask absent, int maxStrings)
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
            var branches = 1;
            var marks = Marks(result);
            while (_i < p.Length && p[_i] == '|')
            {
                _i++;
                var branch = Concatenation(ref ic);
                if (branch.IsNever || result.IsNever)
                {
                    // A branch that matches nothing adds nothing to the alternation.
                    (result, marks) = result.IsNever ? (branch, Marks(branch)) : (result, marks);
                    continue;
                }

                branches++;
                marks = marks is { } m && Marks(branch) is { } more ? m.Union(more) : null;
                result = new Info(Union(result.Exact, branch.Exact, maxStrings), Union(result.Required, branch.Required, maxStrings))
                {
                    Prefix = Union(result.Starts, branch.Starts, maxStrings),
                };
            }

            // Each branch's sets say nothing of the others, but a punctuation mark from a necessary set of each branch makes
            // a set of marks one of which every match holds: each of 934100's branches needs one of _ ( . : = [ { besides
            // its names, and ordinary words hold none of them whatever names they hold.
            return branches > 1 && marks is { } needed && !result.IsNever
                ? result with { Also = [new Literals([.. Enumerable.Range(1, 127).Where(c => needed.Overlaps(CharMask.Single((char)c))).Select(c => ((char)c).ToString())], IgnoreCase: false)] }
                : result;
        }

        // Only for AllNecessary (the gates): the conditional analysis, run many times per pattern, never reads Also.
        private CharMask? Marks(Info node) => Conditional ? null : PunctuationOf(node);

        private Info Concatenation(ref bool ic)
        {
            var run = Literals.EmptyString;
            var whole = true;
            var never = false;
            Literals? best = null;
            Literals? prefix = null;
            var also = new List<Literals>();
            while (_i < p.Length && p[_i] != '|' && p[_i] != ')')
            {
                var atom = Quantified(Atom(ref ic));
                never |= atom.IsNever;
                also.AddRange(atom.Also ?? []);
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
                best = Better(best, Keep(also, Info.Of(run).Required));
                best = Better(best, Keep(also, joinedStart is null ? null : Info.Of(joinedStart).Required));
                best = Better(best, Keep(also, atom.Required));
                run = atom.Exact ?? Literals.EmptyString;
            }

            best = Better(best, Keep(also, Info.Of(run).Required));
            return never ? Info.Never : new Info(whole ? run : null, best) { Prefix = whole ? run : prefix, Also = [.. also] };
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

            return min == 1 && max == 1 ? atom : new Info(null, atom.Required) { Prefix = atom.Starts, Also = atom.Also };
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
    }
}

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
internal static partial class RxLiteralAnalysis
{
    // Larger sets are dropped (the search gets slower and rejects less), and so are classes of more chars.
    private const int MaxStrings = 64;
    private const int MaxClassChars = 8;

    /// <summary>The necessary literals of <paramref name="pattern"/>, or null when none is known.</summary>
    public static Literals? Necessary(string pattern) => Necessary(pattern, default, MaxStrings, out _);

    /// <summary>
    /// The necessary literals of <paramref name="pattern"/> in a value that holds none of the ASCII chars of
    /// <paramref name="absent"/> (none a letter or digit), or null when none is known: every literal char or class
    /// loses those chars, a class left empty (or a literal of one) matches nothing, and a quantifier with minimum 0
    /// around it matches only the empty string. So the CRS's evasion group between the letters of a command word
    /// (<c>["')\[\]*(?:...\$...)?\?</c>) vanishes and the word's letters join. <paramref name="used"/> gets the
    /// chars of <paramref name="absent"/> the analysis met in the pattern; the others change nothing. An empty set
    /// means no such value can match.
    /// </summary>
    public static Literals? Necessary(string pattern, CharMask absent, int maxStrings, out CharMask used)
    {
        used = default;
        try
        {
            var parser = new Parser(pattern, absent, maxStrings);
            var info = parser.Alternation(ignoreCase: false);
            used = parser.Used;
            return parser.AtEnd ? info.Required : null;
        }
        catch (GiveUpException)
        {
            return null;
        }
    }

    /// <summary>
    /// Every necessary literal set of <paramref name="pattern"/> that the analysis meets, not only the most selective
    /// one <see cref="Necessary(string)"/> keeps: each is met by every match (a match holds one string of each set), so
    /// together they are a stronger condition. <c>\b(?:eval|alert|...)[\s]*[\(\{]</c> needs one of the names and
    /// one of <c>(</c> <c>{</c>; the prefilter searches the names, ordinary words hold some, and only the second set
    /// rules them out. An alternation keeps only its branches' union (as <see cref="Necessary(string)"/>): a set one
    /// branch needs says nothing of the others. Empty when the analysis gives up.
    /// </summary>
    public static IReadOnlyList<Literals> AllNecessary(string pattern)
    {
        try
        {
            var parser = new Parser(pattern, default, MaxStrings);
            var info = parser.Alternation(ignoreCase: false);
            if (!parser.AtEnd || info.IsNever)
            {
                return [];
            }

            return [.. (info.Required is { } required ? [required] : Array.Empty<Literals>()).Concat(info.Also ?? [])];
        }
        catch (GiveUpException)
        {
            return [];
        }
    }

    /// <summary>A set of strings; <paramref name="IgnoreCase"/> when they are compared ignoring ASCII case.</summary>
    internal sealed record Literals(HashSet<string> Set, bool IgnoreCase)
    {
        public static readonly Literals EmptyString = new([string.Empty], false);

        public bool HasEmpty => Set.Contains(string.Empty);

        // The empty set (nothing can match) is the most selective of all.
        public int MinLength => Set.Count == 0 ? int.MaxValue : Set.Min(s => s.Length);
    }

    // Exact: the node matches only these strings (null: unknown). Required: one of these occurs in every match.
    // Prefix: every match starts with one of these (null: unknown).
    // Also: further sets one of whose strings every match contains (the ones Required was chosen from).
    private readonly record struct Info(Literals? Exact, Literals? Required)
    {
        public Literals? Prefix { get; init; }

        public Literals[]? Also { get; init; }

        public Literals? Starts => Exact ?? Prefix;

        public static readonly Info Unknown = new(null, null);
        public static readonly Info Empty = new(Literals.EmptyString, null);

        // Matches nothing (a class whose every char is absent from the value).
        public static readonly Info Never = new(new Literals([], false), new Literals([], false));

        public bool IsNever => Required is { Set.Count: 0 };

        public static Info Of(Literals exact) => new(exact, exact.HasEmpty ? null : exact);
    }

    private sealed class GiveUpException : Exception;

    private static Literals? Union(Literals? a, Literals? b, int maxStrings)
    {
        if (a is null || b is null || a.Set.Count + b.Set.Count > maxStrings)
        {
            return null;
        }

        return new Literals([.. a.Set, .. b.Set], a.IgnoreCase || b.IgnoreCase);
    }

    private static Literals? Product(Literals a, Literals b, int maxStrings)
    {
        if ((long)a.Set.Count * b.Set.Count > maxStrings)
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

    // Notes a necessary set of a sequence for AllNecessary (an empty string is no condition), and passes it on.
    private static Literals? Keep(List<Literals> also, Literals? set)
    {
        if (set is not null && !set.HasEmpty)
        {
            also.Add(set);
        }

        return set;
    }

    // Marks ordinary prose holds: a set of marks is chosen to need as few of them as it can.
    private const string ProseMarks = ".,-'\"!?;:()/";

    // Of the node's necessary sets (see Info.Also), the one whose strings each hold a punctuation mark (not a letter, a
    // digit or white space), as one mark per string: the marks a match must hold one of. Null when no set qualifies.
    private static CharMask? PunctuationOf(Info node)
    {
        CharMask? best = null;
        var bestScore = int.MaxValue;
        foreach (var set in (node.Required is { } required ? [required] : Array.Empty<Literals>()).Concat(node.Also ?? []))
        {
            if (set.Set.Count == 0 || set.HasEmpty)
            {
                continue;
            }

            var marks = default(CharMask);
            foreach (var literal in set.Set)
            {
                var mark = BestMark(literal);
                if (mark == '\0')
                {
                    marks = default;
                    break;
                }

                marks = marks.Union(CharMask.Single(mark));
            }

            var score = marks.IsNone ? int.MaxValue : marks.Count + (4 * ProseMarks.Count(c => marks.Overlaps(CharMask.Single(c))));
            if (score < bestScore)
            {
                (best, bestScore) = (marks, score);
            }
        }

        return best;
    }

    // A punctuation mark of the literal, one prose holds rarely if it can; NUL when it has none.
    private static char BestMark(string literal)
    {
        var mark = '\0';
        foreach (var c in literal)
        {
            if (c is > '\0' and <= '\x7F' && !char.IsAsciiLetterOrDigit(c) && !char.IsWhiteSpace(c) && (mark == '\0' || (ProseMarks.Contains(mark) && !ProseMarks.Contains(c))))
            {
                mark = c;
            }
        }

        return mark;
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

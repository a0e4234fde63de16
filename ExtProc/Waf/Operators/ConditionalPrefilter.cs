using System.Buffers;
using System.Globalization;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>
/// A second necessary condition for an <c>@rx</c> pattern whose own prefilter is weak (single letters): the literals
/// every match contains in a value that holds none of the <see cref="Absent"/> chars. The CRS's command-word rules
/// (932230, 932235, 932250, 932340 ...) put an evasion group (<c>["')\[\\]*(?:...\$...)?\\?</c>) between every two
/// letters of every word, so unconditionally only single letters are necessary; in a value without quotes, brackets,
/// <c>$</c>, <c>|</c>, <c>&amp;</c> and backslashes the group can only match empty and the words must appear whole.
/// Such a value is ASCII only (a value with a non-ASCII char counts as holding every char, see
/// <see cref="CharMask"/>), so the analysis may also read <c>\s</c> and <c>\d</c> in a class as their ASCII chars.
/// A value that holds an absent char goes the ordinary way (the unconditional prefilter, then the regex).
/// </summary>
internal sealed class ConditionalPrefilter
{
    /// <summary>Only a condition whose literals are all at least this long is kept.</summary>
    public const int MinLength = 3;

    // Many more strings than the unconditional prefilters' sets: the word lists are hundreds of words long.
    private const int MaxStrings = 512;

    // Tried first when dropping absent chars the result does not need: those most common in benign values.
    private const string DropOrder = " \t\n\r,.-_/:@+%=!?#*~();<>[]{}^&|$\\\"'`";

    private readonly SearchValues<string> _literals;

    private ConditionalPrefilter(CharMask absent, IReadOnlyCollection<string> literals, bool ignoreCase)
    {
        Absent = absent;
        Literals = literals;
        IgnoreCase = ignoreCase;
        _literals = SearchValues.Create([.. literals], ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        Gate = CharGate.For(literals, ignoreCase);
    }

    /// <summary>The chars a value must not hold for the condition to apply (never a letter, a digit or NUL).</summary>
    public CharMask Absent { get; }

    /// <summary>The strings one of which every match in such a value contains (empty: no such value can match).</summary>
    public IReadOnlyCollection<string> Literals { get; }

    public bool IgnoreCase { get; }

    /// <summary>The chars the literals need, tested on the value's char mask before the search.</summary>
    public CharGate? Gate { get; }

    /// <summary>
    /// The condition for a .NET pattern, or null when the unconditional <paramref name="prefilter"/> is already as
    /// selective or the analysis finds nothing better.
    /// </summary>
    public static ConditionalPrefilter? For(string pattern, RxPrefilter? prefilter)
    {
        if (prefilter is not null && prefilter.Literals.Min(l => l.Length) >= MinLength)
        {
            return null;
        }

        var found = RxLiteralAnalysis.Necessary(pattern, Candidates(), MaxStrings, out var absent);
        if (found is null || found.MinLength < MinLength)
        {
            return null;
        }

        // Each absent char makes the condition hold for fewer values: drop those the result can do without (with
        // every candidate absent, a pattern that needs a separator after its word often matches nothing at all).
        foreach (var c in DropOrder)
        {
            var single = CharMask.Single(c);
            if (!absent.Overlaps(single))
            {
                continue;
            }

            var without = new CharMask(absent.Lo & ~single.Lo, absent.Hi & ~single.Hi);
            var again = RxLiteralAnalysis.Necessary(pattern, without, MaxStrings, out var used);
            if (again is not null && again.MinLength >= MinLength)
            {
                (found, absent) = (again, used);
            }
        }

        return absent.IsNone ? null : new ConditionalPrefilter(absent, found.Set, found.IgnoreCase);
    }

    /// <summary>
    /// False only when the value's <paramref name="mask"/> has no absent char and the value holds none of the literals,
    /// so the pattern cannot match it.
    /// </summary>
    public bool MayMatch(CharMask mask, string value)
    {
        if (mask.Overlaps(Absent))
        {
            return true;
        }

        return MayMatch(mask) && Contains(value);
    }

    /// <summary>True when <paramref name="value"/> holds one of the literals (the search alone, no condition).</summary>
    public bool Contains(string value) => value.AsSpan().ContainsAny(_literals);

    /// <summary>
    /// The bit (0 to 63) under which the engine remembers <see cref="Contains"/> per distinct transformed value for
    /// a phase, shared by every rule whose condition has the same literals (see <see cref="ShareSearches"/>); -1 when
    /// the condition has no literals or its set is past the 64th (the engine then searches by itself each time).
    /// </summary>
    public int SearchBit { get; private set; } = -1;

    /// <summary>
    /// The search for every numbered condition's literals at once (see <see cref="ShareSearches"/>), or null: the engine
    /// runs it the first time a value needs one of them, and so answers the others' searches on that value too.
    /// </summary>
    public MultiSetSearch? Combined { get; private set; }

    /// <summary>
    /// Numbers the distinct literal sets of the conditions (932230, 932250 ... the command-word rules share one) and
    /// builds one search for all of them: a search depends on the value and the literals only, so the rules reading
    /// the same values share its result, and one pass over a value answers every set (the command and SQL word lists
    /// are hundreds of words each, and an ordinary value without quotes or brackets reaches several of them). Run
    /// once, after every regex of a ruleset is compiled; a transaction that reads a condition before its bit is set
    /// searches by itself.
    /// </summary>
    public static void ShareSearches(IEnumerable<ConditionalPrefilter> conditions)
    {
        var groups = conditions
            .Where(c => c.Literals.Count > 0)
            .GroupBy(c => (c.IgnoreCase ? "i:" : "s:") + string.Concat(c.Literals.Order(StringComparer.Ordinal).Select(l => $"{l.Length}:{l}")), StringComparer.Ordinal)
            .Take(MultiSetSearch.MaxSets)
            .ToList();
        var combined = MultiSetSearch.Build([.. groups.Select(g => (g.First().Literals, g.First().IgnoreCase))]);
        for (var bit = 0; bit < groups.Count; bit++)
        {
            foreach (var condition in groups[bit])
            {
                condition.SearchBit = bit;
                condition.Combined = combined;
            }
        }
    }

    /// <summary>
    /// False only when no value with this <paramref name="mask"/>, or with fewer chars (each value of a list whose
    /// masks are united here), can match: the mask has no absent char and lacks the chars every literal needs.
    /// </summary>
    public bool MayMatch(CharMask mask)
    {
        if (mask.Overlaps(Absent))
        {
            return true;
        }

        return Literals.Count > 0 && (Gate is not { } gate || gate.MayMatch(mask));
    }

    public override string ToString() =>
        $"without [{Absent.Describe()}]: " + (IgnoreCase ? "(?i)" : string.Empty) +
        string.Join(" | ", Literals.Take(8).Select(l => l.ToString(CultureInfo.InvariantCulture))) + (Literals.Count > 8 ? $" ... ({Literals.Count})" : string.Empty);

    // Every ASCII char but NUL, letters and digits: the analysis keeps those it meets, the loop above drops the rest.
    private static CharMask Candidates()
    {
        var mask = default(CharMask);
        for (var c = '\x01'; c < (char)128; c++)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                mask = mask.Union(CharMask.Single(c));
            }
        }

        return mask;
    }
}

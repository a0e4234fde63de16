using EnvoyGovern.ExtProc.Waf.Operators;

namespace EnvoyGovern.ExtProc.Waf.Rules;

/// <summary>
/// Which rules' prefilters one combined literal search per transformation pipeline answers (see
/// <see cref="LiteralScan"/>): rules of the same pipeline search the same transformed value, so their literal sets
/// (an <c>@rx</c> prefilter's and conditional prefilter's, <c>@pm</c>'s phrases) become groups of one automaton per
/// pipeline, and a value is scanned once per pipeline instead of once per rule. Built after the regexes are compiled
/// (a conditional prefilter comes with its compiled regex); until then rules run their own prefilters.
/// </summary>
internal sealed class LiteralIndex
{
    // A phrase list longer than this keeps its own automaton: in a combined one, ordinary text walks its deep word
    // prefixes off the automaton's dense table, and the scan of every value in the pipeline slows for all rules.
    private const int MaxPhrases = 64;

    private readonly ScanEntry[] _entries;

    private LiteralIndex(LiteralScan?[] scans, ScanEntry[] entries)
    {
        Scans = scans;
        _entries = entries;
    }

    /// <summary>The combined search of each pipeline (by <see cref="Transformations.TransformChain.Id"/>), null for those without groups.</summary>
    public LiteralScan?[] Scans { get; }

    /// <summary>The rule's groups in its pipeline's scan (<see cref="ScanEntry.None"/> when it runs its own prefilters).</summary>
    public ScanEntry EntryOf(Rule rule) => rule.Number >= 0 && rule.Number < _entries.Length ? _entries[rule.Number] : ScanEntry.None;

    /// <summary>The index of <paramref name="rules"/> (every rule and chain link numbered, see <see cref="Rule.Number"/>).</summary>
    public static LiteralIndex Build(RuleSet rules)
    {
        var groups = new List<(IReadOnlyCollection<string> Literals, CharMask Absent)>?[rules.TransformChainCount];
        var numbers = new Dictionary<string, int>?[rules.TransformChainCount];
        var entries = new ScanEntry[rules.LinkCount];
        Array.Fill(entries, ScanEntry.None);
        foreach (var link in rules.Links())
        {
            // multiMatch runs the operator on every stage of the pipeline, which the scan of the last one does not see.
            if (link.MultiMatch || link.Number < 0)
            {
                continue;
            }

            var chain = link.Transforms.Id;
            int Group(IReadOnlyCollection<string> literals, CharMask absent)
            {
                var key = absent.Lo + ":" + absent.Hi + ":" + string.Join('\0', literals.Order(StringComparer.Ordinal));
                var known = numbers[chain] ??= new(StringComparer.Ordinal);
                if (!known.TryGetValue(key, out var number))
                {
                    var list = groups[chain] ??= [];
                    known[key] = number = list.Count;
                    list.Add((literals, absent));
                }

                return number;
            }

            var entry = link.Operator switch
            {
                RxOperator rx => new ScanEntry(
                    rx.Prefilter is { } p && LiteralScan.Accepts(p.Literals) ? Group(p.Literals, default) : -1,
                    rx.Conditional is { } c && LiteralScan.Accepts(c.Literals) ? Group(c.Literals, c.Absent) : -1),
                PmOperator pm when pm.Phrases.Count <= MaxPhrases && LiteralScan.Accepts(pm.Phrases) => new ScanEntry(Group(pm.Phrases, default), -1),
                _ => ScanEntry.None,
            };
            entries[link.Number] = entry;
        }

        var scans = new LiteralScan?[rules.TransformChainCount];
        for (var chain = 0; chain < scans.Length; chain++)
        {
            if (groups[chain] is { Count: > 0 } list)
            {
                scans[chain] = new LiteralScan(list);
            }
        }

        return new LiteralIndex(scans, entries);
    }
}

/// <summary>
/// A rule's groups in its pipeline's <see cref="LiteralScan"/>: its literal prefilter's (-1: none) and its
/// conditional prefilter's (-1: none). A value may match only when the scan set both bits that are not -1.
/// </summary>
internal readonly record struct ScanEntry(int Prefilter, int Conditional)
{
    public static readonly ScanEntry None = new(-1, -1);

    /// <summary>True when the scan answers for the rule's prefilters.</summary>
    public bool Active => Prefilter >= 0 || Conditional >= 0;

    /// <summary>False when the scan's <paramref name="hits"/> rule every value out that they were computed for.</summary>
    public bool MayMatch(ReadOnlySpan<ulong> hits) =>
        (Prefilter < 0 || LiteralScan.Has(hits, Prefilter)) && (Conditional < 0 || LiteralScan.Has(hits, Conditional));
}

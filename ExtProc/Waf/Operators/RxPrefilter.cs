using System.Buffers;
using System.Globalization;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>
/// A cheap necessary condition for a translated <c>@rx</c> pattern: a few literal strings of which every
/// match contains at least one (<c>http/</c> for 921110, <c>://</c> for 933200). When a value contains none,
/// the regex cannot match and is not run: most CRS patterns scan every benign argument and find nothing, and
/// a vectorized search for a few strings costs a fraction of a regex scan. Built by a small analysis of the
/// .NET pattern (see <see cref="RxLiteralAnalysis"/>) that gives up, and so never filters, on anything it
/// does not understand.
/// </summary>
internal sealed class RxPrefilter
{
    private readonly SearchValues<string> _literals;
    private readonly bool _ignoreCase;

    private RxPrefilter(IReadOnlyCollection<string> literals, bool ignoreCase)
    {
        Literals = literals;
        _ignoreCase = ignoreCase;
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        Searched = Minimal(literals, comparison);
        _literals = SearchValues.Create([.. Searched], comparison);
        Gate = CharGate.For(literals, ignoreCase);
    }

    /// <summary>The chars the literals need, tested on a value's cached char mask before the search (null when none).</summary>
    public CharGate? Gate { get; }

    /// <summary>The strings one of which every match contains, as the pattern spells them (compared ignoring ASCII case when <see cref="IgnoreCase"/>).</summary>
    public IReadOnlyCollection<string> Literals { get; }

    public bool IgnoreCase => _ignoreCase;

    /// <summary>
    /// The literals searched: <see cref="Literals"/> without those that contain another of them (942360's
    /// <c>\tload_file</c>, <c>(load_file</c> ... beside <c>load_file</c>). A value that holds such a literal holds the
    /// other, so the search answers the same, over fewer and shorter strings.
    /// </summary>
    public IReadOnlyList<string> Searched { get; }

    /// <summary>The prefilter of a .NET pattern, or null when the analysis finds no useful necessary literals.</summary>
    public static RxPrefilter? For(string pattern) =>
        RxLiteralAnalysis.Necessary(pattern) is { } found ? new RxPrefilter(found.Set, found.IgnoreCase) : null;

    /// <summary>False only when the pattern cannot match <paramref name="value"/>.</summary>
    public bool MayMatch(string value)
    {
        // Case-insensitive .NET regexes also equate some ASCII letters with non-ASCII ones (k and the Kelvin
        // sign); an ordinal search does not, so a value with any non-ASCII char is left to the regex.
        if (_ignoreCase && value.AsSpan().ContainsAnyExceptInRange('\0', '\x7F'))
        {
            return true;
        }

        return value.AsSpan().ContainsAny(_literals);
    }

    private static string[] Minimal(IReadOnlyCollection<string> literals, StringComparison comparison)
    {
        if (literals.Any(l => l.Length == 0))
        {
            return [.. literals];
        }

        var kept = new List<string>();
        foreach (var literal in literals.OrderBy(l => l.Length).ThenBy(l => l, StringComparer.Ordinal))
        {
            if (!kept.Exists(shorter => literal.Contains(shorter, comparison)))
            {
                kept.Add(literal);
            }
        }

        return [.. kept];
    }

    public override string ToString() =>
        (_ignoreCase ? "(?i)" : string.Empty) + string.Join(" | ", Literals.Select(l => l.ToString(CultureInfo.InvariantCulture)));
}

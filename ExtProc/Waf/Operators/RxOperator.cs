using System.Text.RegularExpressions;
using EnvoyGovern.ExtProc.Waf.Engine;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>
/// <c>@rx</c>: a PCRE pattern translated to .NET (see <see cref="PcreTranslator"/>) with a match timeout.
/// A pattern starts on the interpreted backtracking engine, so a ruleset loads fast; <see cref="Compile"/>,
/// run in the background after a load, swaps in a faster engine. Large patterns (the CRS's word lists of
/// thousands of characters) get the non-backtracking engine: the backtracking one spends tens of
/// microseconds per value on them, the linear one well under one. Smaller patterns, and those the linear
/// engine cannot run (lookarounds, back references), get the compiled backtracking engine: the linear
/// engine would match them no faster but costs about 0.8 MB of memory each (the whole CRS on it holds over
/// 400 MB). A linear regex drops the tables of its construction (<see cref="LinearRegexTrim"/>). All forms
/// match the same strings; the match timeout bounds a backtracking engine on a
/// pathological input, and the transaction's deadline bounds the whole evaluation.
/// </summary>
internal sealed class RxOperator : WafOperator
{
    /// <summary>Translated patterns at least this long run on the non-backtracking engine.</summary>
    public const int LinearFromLength = 1500;

    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Singleline;

    // Values of the shapes most requests carry (after the CRS's usual transformations too: lower case, decoded).
    private static readonly string[] Probes =
    [
        string.Empty,
        "0",
        "gpt-4o",
        "application/json",
        "/v1/chat/completions?page=2&sort=name",
        "mozilla/5.0 (x11; linux x86_64) applewebkit/537.36 (khtml, like gecko) chrome/124.0 safari/537.36",
        "Tell me a story about dragons, please.",
        "session=3f1c2d8e0b7a4c1e; theme=dark",
    ];

    // The linear engine refuses patterns whose automaton could exceed 10,000 nodes by default; the CRS's
    // largest word lists need about 30,000. A host that set its own limit keeps it.
    private const string AutomataLimitSwitch = "REGEX_NONBACKTRACKING_MAX_AUTOMATA_SIZE";

    // Letters, digits and space: what ordinary values are made of.
    private static readonly CharMask WordChars = CharMask.Of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ");

    static RxOperator()
    {
        if (AppContext.GetData(AutomataLimitSwitch) is null)
        {
            AppContext.SetData(AutomataLimitSwitch, 100_000);
        }
    }

    private readonly string _translated;
    private readonly TimeSpan _timeout;
    private volatile Regex _regex;

    public RxOperator(string pattern, TimeSpan timeout)
    {
        Pattern = pattern;
        _translated = PcreTranslator.Translate(pattern);
        _timeout = timeout;
        _regex = new Regex(_translated, Options, timeout);
        Prefilter = RxPrefilter.For(_translated);
        Gate = GateFor(_translated, Prefilter);
    }

    public override string Name => "rx";

    public string Pattern { get; }

    /// <summary>The literals one of which every match contains, checked before the regex; null when unknown.</summary>
    public RxPrefilter? Prefilter { get; }

    public bool IsCompiled { get; private set; }

    /// <summary>
    /// Swaps in the linear engine where the pattern allows it, else the compiled backtracking engine;
    /// idempotent, safe to race with matching.
    /// </summary>
    public void Compile()
    {
        if (IsCompiled)
        {
            return;
        }

        Conditional ??= ConditionalPrefilter.For(_translated, Prefilter);
        if (_translated.Length >= LinearFromLength)
        {
            try
            {
                var linear = new Regex(_translated, Options | RegexOptions.NonBacktracking, _timeout);
                LinearRegexTrim.DropConstructionCache(linear);
                Exercise(linear);
                _regex = linear;
                IsLinear = true;
                IsCompiled = true;
                return;
            }
            catch (NotSupportedException)
            {
                // Lookarounds, back references or atomic groups: the compiled backtracking engine below.
            }
        }

        var compiled = new Regex(_translated, Options | RegexOptions.Compiled, _timeout);
        Exercise(compiled);
        _regex = compiled;
        IsCompiled = true;
    }

    // A new engine's first matches JIT its code (compiled) or build its first automaton states (linear): with the
    // full CRS, ~270 ms for the first GET after the background compilation on a busy 2-core host (`waf-first`),
    // against the exchange's 150 ms budget. Done here, off the request path and before the swap, on values of the
    // shapes ordinary requests carry, each only where the prefilter lets it through as it would a request's: running
    // every probe through every engine made the first GET ~2 ms but kept ~35 MB more (JIT-compiled code of engines
    // ordinary traffic never reaches), past the 300 MB a service may take under load with the CRS.
    private void Exercise(Regex regex)
    {
        try
        {
            foreach (var probe in Probes)
            {
                if (Prefilter is null || Prefilter.MayMatch(probe))
                {
                    regex.IsMatch(probe);
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // Only a warm-up: a probe that times out on a loaded host leaves the engine as cold as before.
        }
    }

    /// <summary>True when the pattern runs on the non-backtracking engine.</summary>
    public bool IsLinear { get; private set; }

    /// <summary>
    /// The prefilter's gate, and also the gates of the pattern's other necessary literal sets that a value of only
    /// letters, digits and spaces fails (<c>(</c> after a list of function names): the prefilter's literals are the
    /// most selective set for a search, often words that ordinary text holds, while a set of punctuation rejects such
    /// text on its char mask alone. Each set is necessary (see <see cref="RxLiteralAnalysis.AllNecessary"/>), so
    /// requiring all of them rejects only values the regex cannot match.
    /// </summary>
    internal static CharGate? GateFor(string translated, RxPrefilter? prefilter)
    {
        var extra = RxLiteralAnalysis.AllNecessary(translated)
            .Where(set => prefilter is null || !set.Set.SetEquals(prefilter.Literals))
            .DistinctBy(set => (set.IgnoreCase, string.Join('\0', set.Set.Order(StringComparer.Ordinal))))
            .Select(set => CharGate.For(set.Set, set.IgnoreCase))
            .OfType<CharGate>()
            .Where(gate => !gate.MayMatch(WordChars))
            .Take(3)
            .ToList();
        if (extra.Count == 0)
        {
            return prefilter?.Gate;
        }

        return prefilter?.Gate is { } own ? own.With(extra) : extra[0].With(extra.Skip(1));
    }

    internal override bool MatchesUnfiltered(string input)
    {
        try
        {
            return _regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            // The check may not change the verdict: the request never ran this regex (a 64 KB argument
            // through a quadratic pattern on a loaded machine), so its timeout proves nothing either way.
            return false;
        }
    }

    public override string ToString() => $"@rx {Pattern} (prefilter {Prefilter})";

    public override bool Evaluate(WafTransaction transaction, string input, bool capture)
    {
        if (Prefilter is not null && !Prefilter.MayMatch(input))
        {
            if (PrefilterAudit is not null)
            {
                AuditRejected(input);
            }

            return false;
        }

        if (!capture)
        {
            return _regex.IsMatch(input);
        }

        var match = _regex.Match(input);
        if (!match.Success)
        {
            return false;
        }

        var groups = match.Groups;
        for (var i = 0; i < 10; i++)
        {
            if (i < groups.Count && groups[i].Success)
            {
                transaction.SetCapture(i, groups[i].Value);
            }
            else
            {
                transaction.ClearCapture(i);
            }
        }

        return true;
    }
}

using EnvoyGovern.ExtProc.Waf.Operators;

namespace EnvoyGovern.ExtProc.Waf.Rules;

/// <summary><c>SecRuleEngine</c>.</summary>
public enum RuleEngineMode
{
    /// <summary>Rules do not run.</summary>
    Off,

    /// <summary>Rules run and log; nothing is blocked.</summary>
    DetectionOnly,

    /// <summary>Rules run and disruptive actions take effect.</summary>
    On,
}

/// <summary>Engine directives (SecRuleEngine, SecRequestBodyAccess, the limits) as the rules files set them.</summary>
internal sealed record EngineSettings
{
    public RuleEngineMode Mode { get; init; } = RuleEngineMode.On;

    public bool RequestBodyAccess { get; init; } = true;

    public bool ResponseBodyAccess { get; init; }

    public long RequestBodyLimit { get; init; } = 13_107_200;

    public long RequestBodyNoFilesLimit { get; init; } = 131_072;

    public bool RequestBodyLimitReject { get; init; } = true;

    public long ResponseBodyLimit { get; init; } = 524_288;

    public bool ResponseBodyLimitReject { get; init; }

    public IReadOnlyList<string> ResponseBodyMimeTypes { get; init; } = ["text/plain", "text/html"];

    public int ArgumentsLimit { get; init; } = 1000;
}

/// <summary>
/// A loaded, immutable ruleset: the rules of each phase in order (markers included), the marker
/// positions for skipAfter, and the engine settings. Built once per load and swapped whole on reload.
/// </summary>
internal sealed class RuleSet
{
    private readonly Dictionary<string, int>[] _markers;

    private readonly bool[] _blockDisrupts;

    public RuleSet(Rule[][] phases, EngineSettings settings, IReadOnlyList<RxOperator> regexes, int transformChains, bool[] blockDisrupts)
    {
        _blockDisrupts = blockDisrupts;
        Phases = phases;
        Settings = settings;
        Regexes = regexes;
        TransformChainCount = transformChains;
        _markers = new Dictionary<string, int>[phases.Length];
        for (var phase = 0; phase < phases.Length; phase++)
        {
            _markers[phase] = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < phases[phase].Length; i++)
            {
                if (phases[phase][i].Marker is { } marker)
                {
                    _markers[phase].TryAdd(marker, i);
                }
            }
        }

        RuleCount = phases.Sum(p => p.Count(r => r.Marker is null));
        TargetSetCount = TargetSets.Assign(phases);
    }

    /// <summary>How many distinct shared target sets the rules have (see <see cref="Rule.TargetSet"/>).</summary>
    public int TargetSetCount { get; }

    /// <summary>Rules by phase (index 1 to 5; 0 is unused).</summary>
    public Rule[][] Phases { get; }

    public EngineSettings Settings { get; }

    public IReadOnlyList<RxOperator> Regexes { get; }

    public int TransformChainCount { get; }

    public int RuleCount { get; }

    /// <summary>True when <c>block</c> in the phase means deny (its SecDefaultAction is disruptive), false for pass.</summary>
    public bool BlockDisrupts(int phase) => _blockDisrupts[phase];

    /// <summary>The index after the marker in the phase, or the end of the phase when there is none.</summary>
    public int AfterMarker(int phase, string marker) =>
        _markers[phase].TryGetValue(marker, out var index) ? index + 1 : Phases[phase].Length;

    /// <summary>Swaps every regex for its compiled form; run in the background after load.</summary>
    public void CompileRegexes(CancellationToken cancellationToken = default)
    {
        foreach (var regex in Regexes)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            regex.Compile();
        }

        ConditionalPrefilter.ShareSearches(Regexes.Select(r => r.Conditional).OfType<ConditionalPrefilter>());
    }
}

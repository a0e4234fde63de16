using Prometheus;

namespace EnvoyGovern.ExtProc.Waf.Inspection;

/// <summary>WAF counters and timings (envoygovern_waf_*).</summary>
internal sealed class WafMetrics
{
    private readonly Counter _evaluations = Metrics.CreateCounter(
        "envoygovern_waf_evaluations_total",
        "Exchanges the WAF evaluated, by mode and outcome (pass, detected, blocked, limit).",
        new CounterConfiguration { LabelNames = ["mode", "outcome"] });

    private readonly Histogram _duration = Metrics.CreateHistogram(
        "envoygovern_waf_phase_duration_seconds",
        "Rule evaluation time of one phase (1 request headers, 2 request body, 3 response headers, 4 response body).",
        new HistogramConfiguration { LabelNames = ["phase"], Buckets = Histogram.ExponentialBuckets(0.00002, 2, 16) });

    private readonly Gauge _rules = Metrics.CreateGauge("envoygovern_waf_rules", "Rules in the active WAF ruleset.");

    private readonly Counter _loads = Metrics.CreateCounter(
        "envoygovern_waf_ruleset_loads_total",
        "WAF ruleset loads, by result (loaded, rejected).",
        new CounterConfiguration { LabelNames = ["result"] });

    // Children resolved once: a label lookup per phase and exchange was ~1.5% of ExtProc's CPU in the load
    // harness's profile (bench/README.md). Phases are 1 to 4; modes and outcomes a fixed vocabulary.
    private static readonly string[] Modes = ["blocking", "detection_only"];
    private static readonly string[] Outcomes = ["pass", "detected", "blocked", "limit"];

    private readonly Histogram.Child[] _phases;
    private readonly Dictionary<(string Mode, string Outcome), Counter.Child> _outcomes;

    public WafMetrics()
    {
        _phases = [.. Enumerable.Range(1, 4).Select(p => _duration.WithLabels(p.ToString(System.Globalization.CultureInfo.InvariantCulture)))];
        _outcomes = (from mode in Modes from outcome in Outcomes select (mode, outcome)).ToDictionary(k => k, k => _evaluations.WithLabels(k.mode, k.outcome));
    }

    public void Evaluated(string mode, string outcome) =>
        (_outcomes.TryGetValue((mode, outcome), out var child) ? child : _evaluations.WithLabels(mode, outcome)).Inc();

    public void PhaseDuration(int phase, TimeSpan elapsed) =>
        (phase is >= 1 and <= 4 ? _phases[phase - 1] : _duration.WithLabels(phase.ToString(System.Globalization.CultureInfo.InvariantCulture))).Observe(elapsed.TotalSeconds);

    public void Loaded(int rules)
    {
        _rules.Set(rules);
        _loads.WithLabels("loaded").Inc();
    }

    public void Rejected() => _loads.WithLabels("rejected").Inc();
}

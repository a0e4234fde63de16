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

    public void Evaluated(string mode, string outcome) => _evaluations.WithLabels(mode, outcome).Inc();

    public void PhaseDuration(int phase, TimeSpan elapsed) => _duration.WithLabels(phase.ToString(System.Globalization.CultureInfo.InvariantCulture)).Observe(elapsed.TotalSeconds);

    public void Loaded(int rules)
    {
        _rules.Set(rules);
        _loads.WithLabels("loaded").Inc();
    }

    public void Rejected() => _loads.WithLabels("rejected").Inc();
}

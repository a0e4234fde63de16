using Prometheus;

namespace EnvoyGovern.Governance.Policy.Runtime;

/// <summary>Which policy is active, and how reloads went.</summary>
internal sealed class PolicyMetrics
{
    private readonly Gauge _info = Metrics.CreateGauge(
        "envoygovern_policy_info", "1 for the active policy version.", new GaugeConfiguration { LabelNames = ["version"] });

    private readonly Counter _reloads = Metrics.CreateCounter(
        "envoygovern_policy_reloads_total", "Policy loads by result (applied, rejected).", new CounterConfiguration { LabelNames = ["result"] });

    private readonly Gauge _lastRejected = Metrics.CreateGauge(
        "envoygovern_policy_last_reload_rejected", "1 while the newest policy content is invalid and an older one serves.");

    private string? _version;

    public void Applied(string version)
    {
        if (_version is not null)
        {
            _info.WithLabels(_version).Remove();
        }

        _version = version;
        _info.WithLabels(version).Set(1);
        _reloads.WithLabels("applied").Inc();
        _lastRejected.Set(0);
    }

    public void Rejected()
    {
        _reloads.WithLabels("rejected").Inc();
        _lastRejected.Set(1);
    }
}

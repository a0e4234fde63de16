using EnvoyGovern.ExtAuthz.Decisions;
using Prometheus;

namespace EnvoyGovern.ExtAuthz.Authorization;

/// <summary>Decision counters. Reason codes are a fixed vocabulary, so the label stays bounded.</summary>
internal sealed class AuthorizationMetrics
{
    private readonly Counter _decisions = Metrics.CreateCounter(
        "envoygovern_extauthz_decisions_total",
        "Check decisions by outcome and reason.",
        new CounterConfiguration { LabelNames = ["outcome", "reason"] });

    private readonly Counter.Child _allowed;

    public AuthorizationMetrics() => _allowed = _decisions.WithLabels("allow", "allowed");

    public void Record(Decision decision)
    {
        if (ReferenceEquals(decision, Decision.Allowed))
        {
            _allowed.Inc();
            return;
        }

        _decisions.WithLabels(decision.Outcome == DecisionOutcome.Allow ? "allow" : "deny", decision.Reason).Inc();
    }
}

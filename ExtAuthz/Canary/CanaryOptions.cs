namespace EnvoyGovern.ExtAuthz.Canary;

/// <summary>Settings of canary guardrails (section <c>Canary</c>).</summary>
public sealed class CanaryOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Canary";

    /// <summary>How often guardrails are judged and halts from other replicas taken in.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(5);
}

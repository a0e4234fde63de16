namespace EnvoyGovern.Governance.Canary;

/// <summary>How one response of a model's cluster went, as ExtProc saw it.</summary>
/// <param name="Status">The HTTP status (5xx counts as an error).</param>
/// <param name="Latency">From the request headers reaching ExtProc to the response headers.</param>
/// <param name="HasFindings">True when an inspector reported a finding on the exchange.</param>
public readonly record struct CanaryOutcome(int Status, TimeSpan Latency, bool HasFindings)
{
    /// <summary>True for a server error.</summary>
    public bool IsError => Status >= 500;
}

namespace EnvoyGovern.Governance.Canary;

/// <summary>Headers both services agree on for canary routing.</summary>
public static class CanaryHeaders
{
    /// <summary>
    /// The Envoy cluster an allowed request goes to; the route reads it with <c>cluster_header</c>.
    /// ExtAuthz always overwrites or removes it, Envoy strips the client's copy before routing, and
    /// ExtProc reads it to attribute each response to its cluster.
    /// </summary>
    public const string Cluster = "x-governance-cluster";
}

namespace EnvoyGovern.Governance.Health;

/// <summary>Tags that select which health checks feed readiness (<c>/readyz</c> and gRPC health).</summary>
public static class HealthTags
{
    /// <summary>The check must pass before the service takes traffic.</summary>
    public const string Ready = "ready";
}

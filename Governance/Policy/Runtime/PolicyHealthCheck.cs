using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EnvoyGovern.Governance.Policy.Runtime;

/// <summary>
/// Ready only with an active policy. A rejected reload keeps the service ready (the previous policy
/// serves) but the detail says so, with the first error, for the operator reading <c>/readyz</c>.
/// </summary>
internal sealed class PolicyHealthCheck(PolicyStore store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var current = store.Current;
        var errors = store.LastErrors;
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["version"] = current?.Version ?? "none" };
        if (errors.Count > 0)
        {
            data["rejected_errors"] = errors.Count;
            data["first_error"] = errors[0].ToString();
        }

        var result = current is null
            ? HealthCheckResult.Unhealthy("no valid policy loaded", data: data)
            : HealthCheckResult.Healthy(errors.Count > 0 ? "serving the last good policy; the newest content was rejected" : "policy active", data);
        return Task.FromResult(result);
    }
}

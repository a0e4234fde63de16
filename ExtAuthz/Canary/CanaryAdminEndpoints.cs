using EnvoyGovern.ExtAuthz.Access;
using EnvoyGovern.Governance.Audit.Recording;
using EnvoyGovern.Governance.Canary;
using EnvoyGovern.Governance.Policy.Runtime;

namespace EnvoyGovern.ExtAuthz.Canary;

/// <summary>
/// Operator endpoints on the admin listener: <c>GET /canaries</c> lists the active policy's canaries and
/// their halts, <c>POST /canaries/{model}/{canary}/resume</c> lifts a halt (in the shared store, so every
/// replica resumes at its next monitor pass). The admin listener is loopback by default; expose it only
/// to operators.
/// </summary>
internal static class CanaryAdminEndpoints
{
    public static void MapCanaryAdmin(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/canaries", (PolicyStore policies, CanaryHaltRegistry halts) =>
            Results.Json(Canaries(policies).Select(c => Describe(c.Routing, c.Canary, halts))));

        endpoints.MapPost("/canaries/{model}/{canary}/resume", async (string model, string canary, PolicyStore policies, ICanaryStore store, CanaryHaltRegistry halts, AuditRecorder audit, ILogger<CanaryMonitor> logger, CancellationToken cancellationToken) =>
        {
            if (Canaries(policies).FirstOrDefault(c => c.Routing.Model == model && c.Canary.Name == canary) is not { Canary: { } found })
            {
                return Results.Problem(statusCode: 404, title: "unknown_canary", detail: $"The active policy has no canary '{canary}' for model '{model}'.");
            }

            var resumed = await store.ResumeAsync(found.Key, cancellationToken);
            if (halts.Resume(found.Key) || resumed)
            {
                CanaryLog.Resumed(logger, model, canary);
                await CanaryAudit.ResumedAsync(audit, found.Key, cancellationToken);
                return Results.Json(new { model, canary, state = "running" });
            }

            return Results.Problem(statusCode: 409, title: "not_halted", detail: $"Canary '{canary}' of model '{model}' is not halted.");
        });
    }

    private static IEnumerable<(ModelRouting Routing, CompiledCanary Canary)> Canaries(PolicyStore policies) =>
        policies.Current?.Get<AccessPolicy>() is { } policy
            ? policy.Documents.Select(d => d.Models).OfType<ModelResolver>().SelectMany(m => m.Routings).SelectMany(r => r.Canaries.Select(c => (r, c)))
            : [];

    private static object Describe(ModelRouting routing, CompiledCanary canary, CanaryHaltRegistry halts)
    {
        var halt = halts.Halts.TryGetValue(canary.Key, out var found) ? found : null;
        return new
        {
            model = routing.Model,
            canary = canary.Name,
            version = canary.Version,
            cluster = canary.Cluster,
            stableCluster = routing.StableCluster,
            state = halt is null ? "running" : "halted",
            halt = halt is null ? null : new { reason = halt.Reason, detail = halt.Detail, at = halt.At },
        };
    }
}

using EnvoyGovern.ExtAuthz;
using EnvoyGovern.Governance.Audit;

// Registered last, so it replaces the stdout pipeline. Records are still built and hash-chained (that code
// is inside the decision path and cannot be removed by configuration); only the sink is off.
await ExtAuthzApp.Build(args, configureServices: services => services.AddSingleton<IAuditPipeline, DiscardingAuditPipeline>()).RunAsync();

/// <summary>Accepts every audit record and drops it: the audit sink switched off, for the load harness only.</summary>
internal sealed class DiscardingAuditPipeline : IAuditPipeline
{
    public ValueTask<bool> WriteAsync(AuditEntry entry, CancellationToken cancellationToken) => new(true);
}

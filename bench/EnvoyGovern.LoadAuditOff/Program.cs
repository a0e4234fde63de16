using EnvoyGovern.ExtAuthz;
using EnvoyGovern.ExtAuthz.Audit;
using EnvoyGovern.ExtAuthz.Decisions;

// Registered last, so it replaces the service's DecisionAudit: a Check builds no record, hashes no chain and writes
// nothing, so audit on against this measures everything a Check's audit record costs (record, chain, sink).
await ExtAuthzApp.Build(args, configureServices: services => services.AddSingleton<IDecisionAudit, NoDecisionAudit>()).RunAsync();

/// <summary>Records nothing: a Check's audit switched off entirely, for the load harness only.</summary>
internal sealed class NoDecisionAudit : IDecisionAudit
{
    public ValueTask RecordAsync(CheckContext check, Decision decision, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask RecordFailureAsync(CheckContext check, string reason, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

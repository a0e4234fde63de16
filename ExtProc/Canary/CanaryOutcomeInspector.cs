using System.Globalization;
using Envoy.Config.Core.V3;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.Governance.Canary;

namespace EnvoyGovern.ExtProc.Canary;

/// <summary>
/// Counts how each response of a routed model went, per cluster, for the canary guardrails: the model
/// and cluster ExtAuthz chose (its request headers, which only it can set), the response status, the
/// time from request headers to response headers, and whether an inspector reported a finding by then.
/// Never changes the exchange; requests without a cluster are not counted.
/// </summary>
internal sealed class CanaryOutcomeInspector(ICanaryStore store, TimeProvider time) : IInspector
{
    private const string ModelHeader = "x-governance-model";

    public string Name => "canary";

    public async ValueTask<InspectionVerdict> OnHeadersAsync(InspectionContext context, HttpDirection direction, HeaderMap headers, bool endOfStream, CancellationToken cancellationToken)
    {
        if (direction == HttpDirection.Request)
        {
            if (headers.Find(CanaryHeaders.Cluster) is { } cluster && headers.Find(ModelHeader) is { } model)
            {
                context.SetSlot(ExchangeSlot.Canary, new Pending(model, cluster, time.GetTimestamp()));
            }
        }
        else if (context.Slot(ExchangeSlot.Canary) is Pending pending
            && int.TryParse(headers.Find(":status"), NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            context.SetSlot(ExchangeSlot.Canary, null);
            var outcome = new CanaryOutcome(status, time.GetElapsedTime(pending.Started), context.Findings.Count > 0);
            await store.RecordAsync(pending.Model, pending.Cluster, outcome, cancellationToken);
        }

        return InspectionVerdict.Continue;
    }

    public ValueTask<InspectionVerdict> OnBodyAsync(InspectionContext context, HttpDirection direction, ReadOnlyMemory<byte> chunk, bool endOfBody, CancellationToken cancellationToken) =>
        ValueTask.FromResult(InspectionVerdict.Continue);

    public ValueTask<InspectionVerdict> OnTrailersAsync(InspectionContext context, HttpDirection direction, HeaderMap trailers, CancellationToken cancellationToken) =>
        ValueTask.FromResult(InspectionVerdict.Continue);

    private sealed record Pending(string Model, string Cluster, long Started);
}

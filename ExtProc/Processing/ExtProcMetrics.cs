using System.Diagnostics;
using Envoy.Service.ExtProc.V3;
using EnvoyGovern.Governance.Observability;
using Prometheus;

namespace EnvoyGovern.ExtProc.Processing;

/// <summary>Per-phase latency and rejection counters of ext_proc.</summary>
internal sealed class ExtProcMetrics
{
    private readonly Histogram.Child[] _phaseDuration;
    private readonly Counter.Child[] _rejections;

    public ExtProcMetrics()
    {
        var duration = Metrics.CreateHistogram(
            "envoygovern_extproc_phase_duration_seconds",
            "Time to answer one ext_proc message, by phase.",
            new HistogramConfiguration { LabelNames = ["phase"], Buckets = GrpcMetrics.PhaseBuckets });
        var rejections = Metrics.CreateCounter(
            "envoygovern_extproc_immediate_responses_total",
            "Exchanges ended with an immediate response, by phase.",
            new CounterConfiguration { LabelNames = ["phase"] });
        // Children resolved once: no label lookup per message.
        var phases = Enum.GetValues<ProcessingRequest.RequestOneofCase>();
        var slots = phases.Max(p => (int)p) + 1;
        _phaseDuration = new Histogram.Child[slots];
        _rejections = new Counter.Child[slots];
        foreach (var phase in phases)
        {
            _phaseDuration[(int)phase] = duration.WithLabels(PhaseName(phase));
            _rejections[(int)phase] = rejections.WithLabels(PhaseName(phase));
        }
    }

    public static long Start() => Stopwatch.GetTimestamp();

    public void Observe(ProcessingRequest.RequestOneofCase phase, long start) =>
        _phaseDuration[(int)phase].Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);

    public void Rejected(ProcessingRequest.RequestOneofCase phase) => _rejections[(int)phase].Inc();

    private static string PhaseName(ProcessingRequest.RequestOneofCase phase) => phase switch
    {
        ProcessingRequest.RequestOneofCase.RequestHeaders => "request_headers",
        ProcessingRequest.RequestOneofCase.ResponseHeaders => "response_headers",
        ProcessingRequest.RequestOneofCase.RequestBody => "request_body",
        ProcessingRequest.RequestOneofCase.ResponseBody => "response_body",
        ProcessingRequest.RequestOneofCase.RequestTrailers => "request_trailers",
        ProcessingRequest.RequestOneofCase.ResponseTrailers => "response_trailers",
        _ => "none",
    };
}

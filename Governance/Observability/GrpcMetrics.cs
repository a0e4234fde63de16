using System.Collections.Concurrent;
using Grpc.Core;
using Prometheus;

namespace EnvoyGovern.Governance.Observability;

/// <summary>Prometheus metrics for gRPC calls: calls by result and latency per RPC.</summary>
public sealed class GrpcMetrics
{
    // From 25 µs to about 1.6 s: our answers live in the microseconds, Envoy's timeout is 200 ms.
    private static readonly double[] LatencyBuckets = Histogram.ExponentialBuckets(0.000025, 2, 17);

    private readonly Counter _calls = Prometheus.Metrics.CreateCounter(
        "envoygovern_grpc_calls_total",
        "gRPC calls handled, by service, method and gRPC status code.",
        new CounterConfiguration { LabelNames = ["service", "method", "code"] });

    private readonly Histogram _duration = Prometheus.Metrics.CreateHistogram(
        "envoygovern_grpc_call_duration_seconds",
        "Time from the start of a gRPC call to its end (for ext_proc, the whole stream).",
        new HistogramConfiguration { LabelNames = ["service", "method"], Buckets = LatencyBuckets });

    // Label children resolved once per (service, method, code): every call pays one lookup, no allocation.
    private readonly ConcurrentDictionary<(string Service, string Method, StatusCode Code), (Counter.Child Calls, Histogram.Child Duration)> _series = new();

    static GrpcMetrics() => MetricsDefaults.Apply();

    /// <summary>Buckets for per-phase latency histograms in the services.</summary>
    public static double[] PhaseBuckets => LatencyBuckets;

    /// <summary>Records one finished call.</summary>
    /// <param name="service">Service label (<c>ExtAuthz</c>, <c>ExtProc</c>).</param>
    /// <param name="fullMethod">gRPC method path, such as <c>/envoy.service.auth.v3.Authorization/Check</c>.</param>
    /// <param name="code">Final status of the call.</param>
    /// <param name="elapsed">Duration of the call.</param>
    public void Record(string service, string fullMethod, StatusCode code, TimeSpan elapsed)
    {
        var series = _series.GetOrAdd((service, fullMethod, code), static (key, self) => (
            self._calls.WithLabels(key.Service, MethodName(key.Method), CodeName(key.Code)),
            self._duration.WithLabels(key.Service, MethodName(key.Method))), this);
        series.Calls.Inc();
        series.Duration.Observe(elapsed.TotalSeconds);
    }

    // "/envoy.service.auth.v3.Authorization/Check" -> "Check": a short, bounded label.
    private static string MethodName(string method)
    {
        var slash = method.LastIndexOf('/');
        return slash >= 0 ? method[(slash + 1)..] : method;
    }

    private static string CodeName(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.Cancelled => "CANCELLED",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.Internal => "INTERNAL",
        StatusCode.Unavailable => "UNAVAILABLE",
        _ => "OTHER",
    };
}

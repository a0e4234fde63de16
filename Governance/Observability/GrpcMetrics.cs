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

    static GrpcMetrics() => MetricsDefaults.Apply();

    /// <summary>Records one finished call.</summary>
    public void Record(string service, string method, string code, TimeSpan elapsed)
    {
        _calls.WithLabels(service, method, code).Inc();
        _duration.WithLabels(service, method).Observe(elapsed.TotalSeconds);
    }

    /// <summary>Buckets for per-phase latency histograms in the services.</summary>
    public static double[] PhaseBuckets => LatencyBuckets;
}

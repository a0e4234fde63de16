using Prometheus;

namespace EnvoyGovern.Governance.Observability;

/// <summary>
/// Process metrics stay; the EventCounter and Meter adapters go, because they sample runtime counters on
/// a timer and add work to every process for series that dashboards rarely read. Exemplars go too: by default
/// every increment and observation reads the current trace context and the clock for an exemplar that only an
/// OpenMetrics scrape would show (about 1 µs per Check in the load harness, bench/README.md); the audit record
/// carries the trace id of every decision. Applied before the first metric is created (the host builder).
/// </summary>
internal static class MetricsDefaults
{
    private static int _applied;

    public static void Apply()
    {
        if (Interlocked.Exchange(ref _applied, 1) == 0)
        {
            Prometheus.Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions
            {
                SuppressProcessMetrics = false,
                SuppressDebugMetrics = true,
                SuppressEventCounters = true,
                SuppressMeters = true,
            });
            Prometheus.Metrics.DefaultFactory.ExemplarBehavior = ExemplarBehavior.NoExemplars();
        }
    }
}

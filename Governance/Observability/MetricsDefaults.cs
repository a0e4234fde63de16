using Prometheus;

namespace EnvoyGovern.Governance.Observability;

/// <summary>
/// Process metrics stay; the EventCounter and Meter adapters go, because they sample runtime counters on
/// a timer and add work to every process for series that dashboards rarely read.
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
        }
    }
}

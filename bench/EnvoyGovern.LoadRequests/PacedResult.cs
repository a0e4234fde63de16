using System.Diagnostics;
using System.Globalization;

namespace EnvoyGovern.LoadRequests;

/// <summary>How <see cref="PacedLoad"/> drives a server.</summary>
/// <param name="Rate">Calls per second, evenly spread.</param>
/// <param name="Connections">HTTP/2 connections the calls go over in turn.</param>
/// <param name="WarmupSeconds">Paced calls sent first and not measured.</param>
/// <param name="Seconds">Measured calls: <paramref name="Rate"/> times this.</param>
internal sealed record PacedSettings(double Rate, int Connections, double WarmupSeconds, double Seconds);

/// <summary>The measured part of a paced run; latencies in milliseconds.</summary>
internal sealed record PacedResult(int Calls, double Rate, double P50Ms, double P90Ms, double P99Ms, double MaxMs, double SendLagP99Ms,
    double ServerCpuSeconds, double DriverCpuSeconds, int Errors)
{
    /// <summary>Figures from per-call <see cref="Stopwatch"/> tick counts.</summary>
    public static PacedResult From(long[] latency, long[] sendLag, double rate, double serverCpuSeconds, double driverCpuSeconds, int errors)
    {
        Array.Sort(latency);
        Array.Sort(sendLag);
        return new PacedResult(latency.Length, rate, Percentile(latency, 0.50), Percentile(latency, 0.90), Percentile(latency, 0.99),
            Percentile(latency, 1), Percentile(sendLag, 0.99), serverCpuSeconds, driverCpuSeconds, errors);
    }

    /// <summary>
    /// One tab-separated line: calls, req/s, p50, p90, p99, max, send lag p99 (ms), server and driver CPU seconds
    /// per 1,000 calls, errors (calls of the warm-up or the measured part not answered with <c>:status 200</c> and a
    /// gRPC message).
    /// </summary>
    public string ToTsv() => string.Join('\t',
        Calls.ToString(CultureInfo.InvariantCulture), Rate.ToString("F0", CultureInfo.InvariantCulture),
        Ms(P50Ms), Ms(P90Ms), Ms(P99Ms), Ms(MaxMs), Ms(SendLagP99Ms),
        (ServerCpuSeconds * 1000 / Calls).ToString("F4", CultureInfo.InvariantCulture),
        (DriverCpuSeconds * 1000 / Calls).ToString("F4", CultureInfo.InvariantCulture),
        Errors.ToString(CultureInfo.InvariantCulture));

    private static string Ms(double value) => value.ToString("F3", CultureInfo.InvariantCulture);

    // Nearest rank, as run.sh computes h2load's percentiles.
    private static double Percentile(long[] sorted, double p)
    {
        var rank = Math.Clamp((int)Math.Ceiling(p * sorted.Length), 1, sorted.Length);
        return sorted[rank - 1] * 1000.0 / Stopwatch.Frequency;
    }
}

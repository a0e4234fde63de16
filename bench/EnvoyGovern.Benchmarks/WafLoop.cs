using System.Diagnostics;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// <c>waf-loop [seconds]</c>: runs the <see cref="WafBenchmarks"/> GET and POST through the CRS in a loop and
/// prints the fastest batch and the median batch per request, plus the process CPU time per request. Not a
/// BenchmarkDotNet run: a steady process to attach <c>perf record</c> to, and a minimum-of-batches figure
/// that a shared machine distorts less than a mean (the fastest batches are the ones the scheduler left alone).
/// </summary>
internal static class WafLoop
{
    private const int Batch = 5;

    /// <param name="seconds">Half for the GET, half for the POST.</param>
    /// <param name="distinct">Also the POST of distinct values, for another half.</param>
    public static void Run(double seconds, bool distinct)
    {
        var bench = new WafBenchmarks();
        bench.Setup();
        Measure("GET, CRS PL1", () => bench.GetCrs(), seconds / 2);
        Measure("2 KB urlencoded POST, CRS PL1", () => bench.PostCrs(), seconds / 2);
        if (distinct)
        {
            Measure("2 KB urlencoded POST of distinct values, CRS PL1", () => bench.PostCrsDistinct(), seconds / 2);
        }
    }

    internal static void Measure(string name, Func<object> run, double seconds)
    {
        for (var i = 0; i < 200; i++)
        {
            run();
        }

        var batches = new List<double>();
        var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < Batch; i++)
            {
                run();
            }

            batches.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds / Batch);
        }

        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMicroseconds / (batches.Count * Batch);
        batches.Sort();
        Console.WriteLine($"{name}: min {batches[0]:F1} µs, median {batches[batches.Count / 2]:F1} µs, CPU {cpu:F1} µs per request ({batches.Count * Batch} requests)");
    }
}

using System.Diagnostics;
using EnvoyGovern.ExtAuthz.Audit;
using EnvoyGovern.Governance.Audit.Recording;
using EnvoyGovern.Governance.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// <c>audit-loop [seconds] [stdout]</c>: writes the <see cref="AuditBenchmarks"/> decision record in a loop (serialize,
/// chain, discard; with <c>stdout</c>, through the stdout pipeline into <see cref="Stream.Null"/>) and prints the fastest and median batch and the process CPU time per record: a steady process to attach
/// <c>perf record</c> to (see <see cref="WafLoop"/>). <c>audit-loop [seconds] devnull [threads]</c>: see <see cref="RunConcurrent"/>.
/// </summary>
internal static class AuditLoop
{
    public static void Run(double seconds, bool stdout = false)
    {
        using var bench = new AuditBenchmarks();
        bench.Setup();
        Record(bench);
        var record = bench.LastRecord!.Utf8Json;
        Console.WriteLine($"the record ({record.Length} bytes): {System.Text.Encoding.UTF8.GetString(record.Span)}");
        if (stdout)
        {
            WafLoop.Measure("audit record through the stdout pipeline (Stream.Null)", () => Completed(bench.RecordThroughStdout()), seconds);
            return;
        }

        WafLoop.Measure("audit record only (serialize + chain + discard)", () => Record(bench), seconds);
    }

    /// <summary>
    /// <c>audit-loop [seconds] devnull [threads]</c>: the record from several threads at once through one stdout pipeline
    /// onto <c>/dev/null</c> (a <c>write(2)</c> per batch, as the load harness's servers do, without the server around
    /// it): records per second and the process's CPU per record, where callers meet at the chain lock and the pipeline.
    /// </summary>
    public static void RunConcurrent(double seconds, int threads)
    {
        using var bench = new AuditBenchmarks();
        bench.Setup();
        using var devNull = new FileStream("/dev/null", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        var options = Options.Create(new AuditRecordingOptions());
        var pipeline = new StdoutAuditPipeline(devNull, options, NullLogger<StdoutAuditPipeline>.Instance);
        var audit = new DecisionAudit(new AuditRecorder(GovernanceService.ExtAuthz, pipeline, options, TimeProvider.System, NullLogger<AuditRecorder>.Instance));
        for (var round = 0; round < 2; round++)
        {
            // The first round warms up (tiered JIT, PGO); the second is measured.
            var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var writes = WriteCalls();
            var started = Stopwatch.GetTimestamp();
            var counts = new long[threads];
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() => counts[t] = Loop(bench, audit, until))).ToArray();
            Array.ForEach(workers, w => w.Start());
            Array.ForEach(workers, w => w.Join());
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds;
            var records = counts.Sum();
            var perWrite = records / (double)Math.Max(1, WriteCalls() - writes);
            Console.WriteLine(
                $"{(round == 0 ? "warm-up" : "measured")}: {threads} threads, {records / elapsed:F0} records/s, CPU {used / records:F2} µs per record, {perWrite:F2} records per write(2) ({records} records)");
        }

        pipeline.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    // The process's write-family system calls so far (Linux): the pipeline's writes, nearly all of them here.
    private static long WriteCalls() =>
        File.ReadLines("/proc/self/io").Where(l => l.StartsWith("syscw:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.AsSpan("syscw:".Length), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();

    private static long Loop(AuditBenchmarks bench, DecisionAudit audit, long until)
    {
        long records = 0;
        while ((records & 255) != 0 || Stopwatch.GetTimestamp() < until)
        {
            var recorded = bench.RecordOn(audit);
            if (!recorded.IsCompletedSuccessfully)
            {
                // Its batch is another caller's to write: wait as a request would (rare).
                recorded.AsTask().GetAwaiter().GetResult();
            }

            records++;
        }

        return records;
    }

    // One thread: every record is written by its own caller, at once.
    private static bool Completed(ValueTask recorded) =>
        recorded.IsCompletedSuccessfully ? true : throw new InvalidOperationException("the record did not complete at once");

    // The discarding pipeline completes every record synchronously.
    private static bool Record(AuditBenchmarks bench)
    {
        var recorded = bench.RecordOnly();
        if (!recorded.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("the record did not complete at once");
        }

        return true;
    }
}

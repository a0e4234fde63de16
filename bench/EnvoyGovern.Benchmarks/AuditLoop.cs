namespace EnvoyGovern.Benchmarks;

/// <summary>
/// <c>audit-loop [seconds] [stdout]</c>: writes the <see cref="AuditBenchmarks"/> decision record in a loop (serialize,
/// chain, discard; with <c>stdout</c>, through the stdout pipeline into <see cref="Stream.Null"/>) and prints the fastest and median batch and the process CPU time per record: a steady process to attach
/// <c>perf record</c> to (see <see cref="WafLoop"/>).
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

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// <c>audit-loop [seconds]</c>: writes the <see cref="AuditBenchmarks"/> decision record in a loop (serialize, chain,
/// discard) and prints the fastest and median batch and the process CPU time per record: a steady process to attach
/// <c>perf record</c> to (see <see cref="WafLoop"/>).
/// </summary>
internal static class AuditLoop
{
    public static void Run(double seconds)
    {
        using var bench = new AuditBenchmarks();
        bench.Setup();
        Record(bench);
        var record = bench.LastRecord!.Utf8Json;
        Console.WriteLine($"the record ({record.Length} bytes): {System.Text.Encoding.UTF8.GetString(record.Span)}");
        WafLoop.Measure("audit record only (serialize + chain + discard)", () => Record(bench), seconds);
    }

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

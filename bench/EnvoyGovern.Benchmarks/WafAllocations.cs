namespace EnvoyGovern.Benchmarks;

/// <summary>
/// <c>waf-alloc [requests]</c>: the bytes one <see cref="WafBenchmarks"/> request allocates (exact, from the runtime's
/// counter), per form, and the allocation samples of the distinct-values POST by type (<see cref="AllocationSamples"/>).
/// Deterministic, unlike timings on a shared machine.
/// </summary>
internal static class WafAllocations
{
    public static void Run(int requests)
    {
        var bench = new WafBenchmarks();
        bench.Setup();
        Report("GET, CRS PL1", bench.GetCrs, requests);
        Report("2 KB urlencoded POST, CRS PL1", bench.PostCrs, requests);
        Report("2 KB urlencoded POST, empty ruleset", bench.PostEmpty, requests);
        using var samples = new AllocationSamples();
        Report("2 KB urlencoded POST of distinct values, CRS PL1", bench.PostCrsDistinct, requests);
        samples.Print(25);
    }

    private static void Report(string name, Func<object> run, int requests)
    {
        // The first runs fill the per-thread scratch and the caches a steady process has.
        AllocationSamples.BytesPerRun(run, 50);
        Console.WriteLine($"{name}: {AllocationSamples.BytesPerRun(run, requests):F0} bytes allocated per request");
    }
}

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// <c>extproc-alloc [exchanges]</c>: runs <see cref="ExtProcExchangeBenchmarks"/>' headers-only exchange in a loop and
/// prints the bytes it allocates per exchange and the runtime's allocation samples by type (<see cref="AllocationSamples"/>).
/// </summary>
internal static class ExtProcAllocations
{
    public static void Run(int exchanges)
    {
        var bench = new ExtProcExchangeBenchmarks();
        bench.Setup();
        using var samples = new AllocationSamples();
        var allocated = AllocationSamples.BytesPerRun(() =>
        {
            bench.Exchange().GetAwaiter().GetResult();
            return bench;
        }, exchanges);
        Console.WriteLine($"answer: {bench.LastAnswer}");
        Console.WriteLine($"bytes allocated per exchange: {allocated:F0}");
        samples.Print(40);
        bench.Cleanup();
    }
}

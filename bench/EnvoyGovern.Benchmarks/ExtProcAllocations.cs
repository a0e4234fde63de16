using System.Diagnostics.Tracing;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// <c>extproc-alloc [exchanges]</c>: runs <see cref="ExtProcExchangeBenchmarks"/>' headers-only exchange in a loop and
/// prints the bytes it allocates per exchange and the runtime's allocation samples (one per ~100 KB) by type: where an
/// exchange's garbage comes from, which the MemoryDiagnoser's total does not say.
/// </summary>
internal sealed class ExtProcAllocations : EventListener
{
    private readonly Dictionary<string, long> _byType = [];

    public static void Run(int exchanges)
    {
        var bench = new ExtProcExchangeBenchmarks();
        bench.Setup();
        using var samples = new ExtProcAllocations();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < exchanges; i++)
        {
            bench.Exchange().GetAwaiter().GetResult();
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Console.WriteLine($"answer: {bench.LastAnswer}");
        Console.WriteLine($"bytes allocated per exchange: {allocated / (double)exchanges:F0}");
        lock (samples._byType)
        {
            var total = samples._byType.Values.Sum();
            foreach (var (type, count) in samples._byType.OrderByDescending(p => p.Value).Take(40))
            {
                Console.WriteLine($"{count * 100.0 / total,6:F1}%  {count,7}  {type}");
            }
        }

        bench.Cleanup();
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            // The GC keyword at verbose level: GCAllocationTick with the type of the object that crossed the threshold.
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.PayloadNames is not { } names)
        {
            return;
        }

        var type = eventData.Payload![names.IndexOf("TypeName")] as string ?? "?";
        lock (_byType)
        {
            _byType[type] = _byType.GetValueOrDefault(type) + 1;
        }
    }
}

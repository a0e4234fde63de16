using System.Diagnostics.Tracing;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// The runtime's allocation samples (one per ~100 KB allocated) by type while it is alive: where a loop's garbage
/// comes from, which the MemoryDiagnoser's total does not say.
/// </summary>
internal sealed class AllocationSamples : EventListener
{
    private readonly Dictionary<string, long> _byType = [];

    /// <summary>Runs <paramref name="run"/> <paramref name="times"/> times and returns the bytes it allocated per run.</summary>
    public static double BytesPerRun(Func<object> run, int times)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < times; i++)
        {
            run();
        }

        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)times;
    }

    /// <summary>Prints the sampled types, the most frequent first.</summary>
    public void Print(int top)
    {
        lock (_byType)
        {
            var total = _byType.Values.Sum();
            foreach (var (type, count) in _byType.OrderByDescending(p => p.Value).Take(top))
            {
                Console.WriteLine($"{count * 100.0 / total,6:F1}%  {count,7}  {type}");
            }
        }
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

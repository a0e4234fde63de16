namespace EnvoyGovern.Governance.Canary;

/// <summary>
/// Outcomes of one cluster over a window: counts, and latency in a fixed log-scale histogram so that
/// replicas can add theirs together (in Redis too) and a percentile still comes out.
/// </summary>
public sealed class OutcomeWindow
{
    /// <summary>Latency bucket upper bounds: 1 ms doubling to about 65 s, then everything above.</summary>
    public static readonly TimeSpan[] BucketBounds = [.. Enumerable.Range(0, 17).Select(i => TimeSpan.FromMilliseconds(1 << i))];

    /// <summary>Number of latency buckets (the bounds plus one for "above the last").</summary>
    public static int BucketCount => BucketBounds.Length + 1;

    /// <summary>Creates an empty window.</summary>
    public OutcomeWindow()
    {
        Latency = new long[BucketCount];
    }

    /// <summary>Responses counted.</summary>
    public long Count { get; set; }

    /// <summary>Responses with a 5xx status.</summary>
    public long Errors { get; set; }

    /// <summary>Responses with at least one inspection finding.</summary>
    public long WithFindings { get; set; }

    /// <summary>Responses per latency bucket.</summary>
    public long[] Latency { get; }

    /// <summary>The 5xx share in percent, 0 for an empty window.</summary>
    public double ErrorRatePercent => Count == 0 ? 0 : 100.0 * Errors / Count;

    /// <summary>The share with findings in percent, 0 for an empty window.</summary>
    public double FindingsRatePercent => Count == 0 ? 0 : 100.0 * WithFindings / Count;

    /// <summary>The bucket a latency falls in.</summary>
    public static int BucketOf(TimeSpan latency)
    {
        for (var i = 0; i < BucketBounds.Length; i++)
        {
            if (latency <= BucketBounds[i])
            {
                return i;
            }
        }

        return BucketBounds.Length;
    }

    /// <summary>Adds one outcome.</summary>
    public void Add(CanaryOutcome outcome)
    {
        Count++;
        Errors += outcome.IsError ? 1 : 0;
        WithFindings += outcome.HasFindings ? 1 : 0;
        Latency[BucketOf(outcome.Latency)]++;
    }

    /// <summary>Adds another window's counts.</summary>
    public void Add(OutcomeWindow other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Count += other.Count;
        Errors += other.Errors;
        WithFindings += other.WithFindings;
        for (var i = 0; i < Latency.Length; i++)
        {
            Latency[i] += other.Latency[i];
        }
    }

    /// <summary>
    /// The 95th percentile latency as the upper bound of its bucket (within a factor of two, which is
    /// what a ratio limit between canary and stable needs), or null for an empty window.
    /// </summary>
    public TimeSpan? P95()
    {
        if (Count == 0)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(Count * 0.95);
        long seen = 0;
        for (var i = 0; i < Latency.Length; i++)
        {
            seen += Latency[i];
            if (seen >= rank)
            {
                return i < BucketBounds.Length ? BucketBounds[i] : TimeSpan.MaxValue;
            }
        }

        return TimeSpan.MaxValue;
    }
}

namespace EnvoyGovern.Governance.Audit.Delivery;

/// <summary>
/// Exponential backoff with "equal jitter": the ceiling doubles per attempt up to the cap, and the delay is
/// half the ceiling plus a random share of the other half. Never sooner than half the ceiling (a broken sink is
/// not hammered); spread enough that replicas recovering together do not retry in lockstep.
/// </summary>
internal sealed class RetryBackoff(TimeSpan baseDelay, TimeSpan maxDelay, Random random)
{
    /// <summary>Delay before retry number <paramref name="attempt"/> (1 for the first retry).</summary>
    public TimeSpan Delay(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        // Past 2^30 the ceiling is the cap anyway; the shift must not overflow.
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var ceiling = Math.Min(maxDelay.Ticks, baseDelay.Ticks * factor);
        return TimeSpan.FromTicks((long)((ceiling / 2) + (random.NextDouble() * ceiling / 2)));
    }

    /// <summary>The shortest and longest delay <see cref="Delay"/> may return for <paramref name="attempt"/>.</summary>
    public (TimeSpan Min, TimeSpan Max) Bounds(int attempt)
    {
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var ceiling = Math.Min(maxDelay.Ticks, baseDelay.Ticks * factor);
        return (TimeSpan.FromTicks((long)(ceiling / 2)), TimeSpan.FromTicks((long)ceiling));
    }
}

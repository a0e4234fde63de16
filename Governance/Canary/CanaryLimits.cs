namespace EnvoyGovern.Governance.Canary;

/// <summary>Bounds the outcome stores are built for.</summary>
public static class CanaryLimits
{
    /// <summary>Outcomes are counted in slots of this width; a window is a whole number of slots.</summary>
    public static readonly TimeSpan Slot = TimeSpan.FromSeconds(10);

    /// <summary>The longest guardrail window; older slots are dropped.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromHours(1);

    /// <summary>The slot a moment falls in (slots are numbered from the epoch, so replicas agree).</summary>
    public static long SlotOf(DateTimeOffset at) => at.UtcTicks / Slot.Ticks;

    /// <summary>How many slots a window spans (at least one).</summary>
    public static long SlotsIn(TimeSpan window) => Math.Max(1, (long)Math.Ceiling(window / Slot));
}

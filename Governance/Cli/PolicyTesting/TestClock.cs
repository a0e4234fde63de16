namespace EnvoyGovern.Cli.PolicyTesting;

/// <summary>
/// The clock of a test run: the system clock, or the fixed instant a test sets with <c>time:</c>.
/// Timestamps (which quota buckets refill by) follow the same instant, so tests with the same
/// <c>time</c> see no refill at all and a quota burst is exact however slow the machine is, while a
/// later <c>time</c> refills as much as the gap says.
/// </summary>
internal sealed class TestClock : TimeProvider
{
    public DateTimeOffset? Fixed { get; set; }

    public override DateTimeOffset GetUtcNow() => Fixed ?? System.GetUtcNow();

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;
}

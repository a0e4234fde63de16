using EnvoyGovern.Governance.Audit.Delivery;

namespace EnvoyGovern.Tests.Audit.Delivery;

public sealed class RetryBackoffTests
{
    [Fact]
    public void Delay_ManyDraws_StayWithinHalfAndWholeOfDoublingCappedCeiling()
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(3), new Random(42));
        var ceilings = new[] { 100, 200, 400, 800, 1600, 3000, 3000 };
        for (var attempt = 1; attempt <= ceilings.Length; attempt++)
        {
            var delays = Enumerable.Range(0, 200).Select(_ => backoff.Delay(attempt).TotalMilliseconds).ToList();
            Assert.All(delays, d => Assert.InRange(d, ceilings[attempt - 1] / 2.0, ceilings[attempt - 1]));
            // Jitter: the draws spread over the range instead of repeating one value.
            Assert.True(delays.Max() - delays.Min() > ceilings[attempt - 1] / 4.0);
        }
    }

    [Fact]
    public void Delay_HugeAttemptNumber_IsCappedWithoutOverflow()
    {
        var backoff = new RetryBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(1));

        Assert.InRange(backoff.Delay(int.MaxValue), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30));
    }
}

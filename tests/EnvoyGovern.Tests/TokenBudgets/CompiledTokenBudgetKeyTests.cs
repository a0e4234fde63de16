using System.Globalization;
using EnvoyGovern.Governance.Policy.Model;
using EnvoyGovern.Governance.TokenBudgets;

namespace EnvoyGovern.Tests.TokenBudgets;

/// <summary>The store key a budget names per tenant and window, which ExtProc counts under and ExtAuthz reads.</summary>
public sealed class CompiledTokenBudgetKeyTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-27T10:00:00Z", CultureInfo.InvariantCulture);

    private readonly CompiledTokenBudget _budget = new(new TokenBudgetSpec { Name = "hourly", Tokens = 1000, Window = "1h" });

    [Fact]
    public void Key_SameTenantAndWindow_NamesTheBudgetTenantAndWindow()
    {
        var window = Start.ToUnixTimeMilliseconds() / 3_600_000;

        var first = _budget.Key("acme", Start);
        var again = _budget.Key("acme", Start.AddMinutes(59));

        Assert.Equal($"hourly:acme:{window}", first);
        Assert.Equal(first, again);
    }

    [Fact]
    public void Key_NextWindow_NamesTheNextWindow()
    {
        var window = Start.ToUnixTimeMilliseconds() / 3_600_000;
        _ = _budget.Key("acme", Start);

        var next = _budget.Key("acme", Start.AddHours(1));
        var back = _budget.Key("acme", Start);

        Assert.Equal($"hourly:acme:{window + 1}", next);
        Assert.Equal($"hourly:acme:{window}", back);
    }

    [Fact]
    public void Key_OtherTenantInTheSameWindow_NamesItsOwnCount()
    {
        _ = _budget.Key("acme", Start);

        var other = _budget.Key("globex", Start);

        Assert.StartsWith("hourly:globex:", other, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_MoreTenantsThanTheCacheHolds_EveryKeyStillRight()
    {
        var window = Start.ToUnixTimeMilliseconds() / 3_600_000;

        for (var i = 0; i < 10_050; i++)
        {
            var tenant = "t" + i.ToString(CultureInfo.InvariantCulture);
            Assert.Equal($"hourly:{tenant}:{window}", _budget.Key(tenant, Start));
        }

        Assert.Equal($"hourly:t10049:{window + 1}", _budget.Key("t10049", Start.AddHours(1)));
    }
}

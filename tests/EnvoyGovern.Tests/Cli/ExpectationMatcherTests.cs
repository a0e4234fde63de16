using EnvoyGovern.Cli.PolicyTesting;

namespace EnvoyGovern.Tests.Cli;

public sealed class ExpectationMatcherTests
{
    private static readonly ObservedDecision Denied = new("deny", 401, "authentication_required", [new("www-authenticate", "ApiKey"), new("x-a", "1"), new("x-a", "2")]);

    [Fact]
    public void Differences_AllMet_None()
    {
        var expect = new TestExpectation { Decision = "deny", Status = 401, Reason = "authentication_required", Headers = [new("www-authenticate", "*"), new("x-a", "2"), new("x-b", null)] };

        Assert.Empty(ExpectationMatcher.Differences(expect, Denied));
    }

    [Fact]
    public void Differences_EachMismatch_OneSentenceEach()
    {
        var expect = new TestExpectation { Decision = "deny", Status = 403, Reason = "no_matching_rule", Headers = [new("x-a", "1"), new("x-b", "*"), new("www-authenticate", null)] };

        Assert.Equal(
            [
                "expected status 403, got deny 401 authentication_required",
                "expected reason no_matching_rule, got deny 401 authentication_required",
                "expected header x-a: 1, got x-a: 2",
                "expected header x-b: *, got none",
                "expected no header www-authenticate, got www-authenticate: ApiKey",
            ],
            ExpectationMatcher.Differences(expect, Denied));
    }

    [Fact]
    public void Differences_OtherDecision_OnlySaysWhatHappened()
    {
        var expect = new TestExpectation { Decision = "allow", Headers = [new("x-governance-tenant", "acme")] };

        Assert.Equal(["expected allow, got deny 401 authentication_required"], ExpectationMatcher.Differences(expect, Denied));
    }
}

using EnvoyGovern.ExtAuthz.Access;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.Tests.Access;

/// <summary>The rule index only narrows which rules are tried; outcomes are those of trying every rule.</summary>
public sealed class RuleIndexTests
{
    private static CompiledRule Rule(string name, RuleEffect effect, MatchSpec when, bool dryRun = false) =>
        new(name, "d", effect, effect == RuleEffect.Allow ? "allowed" : "denied", null, 403, dryRun, new CompiledMatch(when));

    private static CompiledDocument Document(params CompiledRule[] rules) => new()
    {
        Name = "d",
        DryRun = false,
        Hosts = null,
        Identity = [],
        Region = null,
        Models = null,
        Tls = null,
        Rules = rules,
        Quotas = [],
    };

    private static RequestAttributes Request(string method = "POST", string path = "/v1/chat/completions") => new()
    {
        Host = "api.example.com",
        Method = method,
        Path = path,
        Now = DateTimeOffset.UnixEpoch,
        ContextExtensions = new Dictionary<string, string>(),
        Identity = new CallerIdentity("jwt", "svc", "acme", ["developers", "ml"]),
        Model = "gpt-4o",
    };

    private static (Decision? Decision, CheckContext Context) Evaluate(CompiledDocument document, RequestAttributes request)
    {
        var context = new CheckContext(new Envoy.Service.Auth.V3.CheckRequest { Attributes = new() { Request = new() { Http = new() } } }, "id", DateTimeOffset.UnixEpoch);
        return (RuleEvaluator.Evaluate(new AccessPolicy([document]).Documents, request, context), context);
    }

    private static string? Metadata(CheckContext context, string key) => context.Metadata.LastOrDefault(m => m.Key == key).Value;

    [Fact]
    public void Evaluate_DenyIndexedUnderAnotherKeyAfterAllow_DenyWins()
    {
        var document = Document(
            Rule("allow-acme", RuleEffect.Allow, new MatchSpec { Tenants = ["acme"] }),
            Rule("deny-post", RuleEffect.Deny, new MatchSpec { Methods = ["POST"] }));

        var (decision, context) = Evaluate(document, Request());

        Assert.NotNull(decision);
        Assert.Equal("deny-post", Metadata(context, "rule"));
    }

    [Fact]
    public void Evaluate_UnindexedAllowBeforeIndexedAllow_FirstInRuleOrderRecorded()
    {
        var document = Document(
            Rule("deny-other-tenant", RuleEffect.Deny, new MatchSpec { Tenants = ["globex"] }),
            Rule("everyone", RuleEffect.Allow, new MatchSpec()),
            Rule("chat", RuleEffect.Allow, new MatchSpec { Paths = ["/v1/chat/*"] }),
            Rule("acme", RuleEffect.Allow, new MatchSpec { Tenants = ["acme"] }));

        var (decision, context) = Evaluate(document, Request());

        Assert.Null(decision);
        Assert.Equal("everyone", Metadata(context, "rule"));
    }

    [Fact]
    public void Evaluate_IndexedAllowsInSeveralBuckets_FirstInRuleOrderRecorded()
    {
        var document = Document(
            Rule("by-group", RuleEffect.Allow, new MatchSpec { Groups = ["ml", "developers"] }),
            Rule("by-model", RuleEffect.Allow, new MatchSpec { Models = ["gpt-4o"] }),
            Rule("by-tenant", RuleEffect.Allow, new MatchSpec { Tenants = ["acme"] }));

        var (_, context) = Evaluate(document, Request());

        Assert.Equal("by-group", Metadata(context, "rule"));
    }

    [Fact]
    public void Evaluate_DryRunDenyInOtherBucket_RecordedNotEnforced()
    {
        var document = Document(
            Rule("acme", RuleEffect.Allow, new MatchSpec { Tenants = ["acme"] }),
            Rule("shadow", RuleEffect.Deny, new MatchSpec { Paths = ["/v1/*"] }, dryRun: true));

        var (decision, context) = Evaluate(document, Request());

        Assert.Null(decision);
        Assert.Equal("shadow", Metadata(context, "dry_run_rule"));
        Assert.Equal("acme", Metadata(context, "rule"));
    }

    [Theory]
    [InlineData("/v1", false)]
    [InlineData("/v1/chat", true)]
    [InlineData("/v2/chat/completions", false)]
    public void Evaluate_PathSegmentIndex_MatchesLikeTheGlob(string path, bool allowed)
    {
        var document = Document(Rule("v1", RuleEffect.Allow, new MatchSpec { Paths = ["/v1/*"] }));

        var (decision, _) = Evaluate(document, Request(path: path));

        Assert.Equal(allowed, decision is null);
    }

    [Fact]
    public void Evaluate_RequestWithoutIndexedAttribute_OnlyUnindexedRulesTried()
    {
        var document = Document(
            Rule("acme", RuleEffect.Allow, new MatchSpec { Tenants = ["acme"] }),
            Rule("get", RuleEffect.Allow, new MatchSpec { Methods = ["GET"] }));
        var request = Request(method: "GET");
        request.Identity = null;

        var (decision, context) = Evaluate(document, request);

        Assert.Null(decision);
        Assert.Equal("get", Metadata(context, "rule"));
    }
}

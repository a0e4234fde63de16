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

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("11.1.2.3", false)]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("::ffff:11.1.2.3", false)]
    [InlineData("2001:db8::1", true)]
    [InlineData("2001:db9::1", false)]
    public void Evaluate_NetworkIndex_MatchesLikeTheNetwork(string source, bool allowed)
    {
        var document = Document(
            Rule("private", RuleEffect.Allow, new MatchSpec { SourceCidrs = ["10.0.0.0/8", "2001:db8::/32"] }),
            Rule("unrelated", RuleEffect.Allow, new MatchSpec { SourceCidrs = ["192.0.2.0/24"] }));
        var request = Request();
        request = Copy(request, System.Net.IPAddress.Parse(source));

        var (decision, _) = Evaluate(document, request);

        Assert.Equal(allowed, decision is null);
    }

    [Fact]
    public void Evaluate_WideNetwork_RuleStillTriedForEveryAddress()
    {
        var document = Document(Rule("everywhere", RuleEffect.Allow, new MatchSpec { SourceCidrs = ["0.0.0.0/0"] }));

        var (decision, _) = Evaluate(document, Copy(Request(), System.Net.IPAddress.Parse("203.0.113.9")));

        Assert.Null(decision);
    }

    // The index may file a rule under any of its conditions; whichever it picks, the outcome must be
    // that of trying every rule in order. Random policies over small value sets make conditions overlap.
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Evaluate_RandomPolicies_SameOutcomeAsTryingEveryRule(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 40; round++)
        {
            var rules = Enumerable.Range(0, random.Next(1, 60)).Select(i => RandomRule(random, i)).ToArray();
            var document = Document(rules);
            for (var r = 0; r < 25; r++)
            {
                var request = RandomRequest(random);

                var (decision, context) = Evaluate(document, request);
                var (expectedRule, expectedAllowed, expectedShadow) = TryEveryRule(rules, request);

                var label = $"seed {seed} round {round} request {r}: got {(decision is null ? "allow" : "deny")} rule={Metadata(context, "rule")} shadow={Metadata(context, "dry_run_rule")}, expected {expectedAllowed} {expectedRule} {expectedShadow}; request {request.Method} {request.Path} {request.Source} {request.Identity?.Tenant} [{string.Join(",", request.Identity?.Groups ?? [])}] {request.Model} {request.Region}";
                Assert.True(expectedAllowed == (decision is null), label);
                Assert.True(expectedRule == Metadata(context, "rule"), label);
                Assert.True(!expectedAllowed || expectedShadow == Metadata(context, "dry_run_rule"), label);
            }
        }
    }

    private static (string? Rule, bool Allowed, string? Shadow) TryEveryRule(CompiledRule[] rules, RequestAttributes request)
    {
        var matching = rules.Where(r => r.When.IsMatch(request)).ToList();
        var deny = matching.FirstOrDefault(r => r.Effect == RuleEffect.Deny && !r.DryRun);
        if (deny is not null)
        {
            return (deny.Name, false, null);
        }

        var allow = matching.FirstOrDefault(r => r.Effect == RuleEffect.Allow);
        var shadow = matching.FirstOrDefault(r => r.Effect == RuleEffect.Deny && r.DryRun);
        return (allow?.Name, allow is not null, shadow?.Name);
    }

    private static readonly string[] Tenants = ["acme", "globex", "initech"];
    private static readonly string[] Groups = ["ml", "developers", "ops"];
    private static readonly string[] Methods = ["GET", "POST", "PUT"];
    private static readonly string[] Paths = ["/v1/chat/*", "/v1/*", "/v2/embeddings", "*", "/v1/*/completions"];
    private static readonly string[] RequestPaths = ["/v1/chat/completions", "/v1/embeddings", "/v2/embeddings", "/health"];
    private static readonly string[] Models = ["gpt-4o", "llama", "mistral"];
    private static readonly string[] Regions = ["eu", "us", "apac"];
    private static readonly string[] Cidrs = ["10.0.0.0/8", "10.1.0.0/16", "192.0.2.0/24", "0.0.0.0/0", "2001:db8::/32"];
    private static readonly string[] Sources = ["10.1.2.3", "10.9.9.9", "192.0.2.7", "198.51.100.1", "2001:db8::5", "::ffff:10.1.2.3"];

    private static CompiledRule RandomRule(Random random, int i)
    {
        var spec = new MatchSpec
        {
            Tenants = Some(random, Tenants),
            Groups = Some(random, Groups),
            Methods = Some(random, Methods),
            Paths = Some(random, Paths),
            Models = Some(random, Models),
            Regions = Some(random, Regions),
            SourceCidrs = Some(random, Cidrs),
        };
        var effect = random.Next(3) == 0 ? RuleEffect.Deny : RuleEffect.Allow;
        return Rule($"r{i}", effect, spec, dryRun: effect == RuleEffect.Deny && random.Next(3) == 0);
    }

    // Most conditions absent, the others one or two values, so rules overlap as real ones do.
    private static string[] Some(Random random, string[] values) =>
        random.Next(3) != 0 ? [] : [.. values.OrderBy(_ => random.Next()).Take(random.Next(1, 3))];

    private static RequestAttributes RandomRequest(Random random) => new()
    {
        Host = "api.example.com",
        Method = Methods[random.Next(Methods.Length)],
        Path = RequestPaths[random.Next(RequestPaths.Length)],
        Source = System.Net.IPAddress.Parse(Sources[random.Next(Sources.Length)]),
        Now = DateTimeOffset.UnixEpoch,
        ContextExtensions = new Dictionary<string, string>(),
        Identity = random.Next(4) == 0 ? null : new CallerIdentity("jwt", "svc", Tenants[random.Next(Tenants.Length)], [.. Some(random, Groups)]),
        Model = random.Next(4) == 0 ? null : Models[random.Next(Models.Length)],
        Region = random.Next(4) == 0 ? null : Regions[random.Next(Regions.Length)],
    };

    private static RequestAttributes Copy(RequestAttributes request, System.Net.IPAddress source) => new()
    {
        Host = request.Host,
        Method = request.Method,
        Path = request.Path,
        Source = source,
        Now = request.Now,
        ContextExtensions = request.ContextExtensions,
        Identity = request.Identity,
        Model = request.Model,
    };
}

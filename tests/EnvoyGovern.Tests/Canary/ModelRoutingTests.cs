using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.ExtAuthz.Access;
using EnvoyGovern.ExtAuthz.Canary;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.Governance.Canary;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.Tests.Canary;

/// <summary>Which cluster a request of a routed model goes to: stable, a pinned version, or a canary.</summary>
public sealed class ModelRoutingTests
{
    private static ModelSpec Model(params CanarySpec[] canaries) => new()
    {
        Name = "gpt-4o",
        Stable = "1",
        Versions =
        [
            new() { Name = "1", Id = "gpt-4o-1", Cluster = "stable" },
            new() { Name = "2", Id = "gpt-4o-2", Cluster = "canary-2" },
            new() { Name = "3", Id = "gpt-4o-3", Cluster = "canary-3" },
        ],
        Canaries = canaries,
    };

    private static CanarySpec Canary(double weight, CanaryCohortSpec? cohort = null, string version = "2", StickinessKey by = StickinessKey.Subject, string? name = null) => new()
    {
        Name = "v" + version,
        Version = version,
        Weight = weight,
        Cohort = cohort,
        OptInHeader = "x-canary-opt-in",
        OptOutHeader = "x-canary-opt-out",
        Stickiness = new CanaryStickinessSpec { By = by, Name = name },
    };

    internal static RequestAttributes Attributes(string subject, string tenant = "acme", string[]? groups = null, string? region = "eu") => new()
    {
        Host = "api.example.com",
        Method = "POST",
        Path = "/v1/chat/completions",
        Now = DateTimeOffset.UnixEpoch,
        ContextExtensions = new Dictionary<string, string>(),
        Identity = new CallerIdentity("apiKey", subject, tenant, groups ?? []),
        Region = region,
        Model = "gpt-4o",
        ModelVersion = "1",
    };

    internal static CheckContext Context(Action<EnvoyCheckRequestBuilder>? build = null)
    {
        var builder = new EnvoyCheckRequestBuilder().Method("POST").Path("/v1/chat/completions").Authority("api.example.com");
        build?.Invoke(builder);
        return new CheckContext(builder.Build(), "id", DateTimeOffset.UnixEpoch);
    }

    private static RouteChoice Choose(ModelRouting routing, RequestAttributes request, CheckContext? context = null, bool pinned = false, ICanaryHalts? halts = null) =>
        routing.Choose(context ?? Context(), request, pinned, halts ?? new CanaryHaltRegistry());

    private static ModelRouting Routing(params CanarySpec[] canaries) => ModelRouting.Create(Model(canaries))!;

    [Theory]
    [InlineData(10)]
    [InlineData(33.3)]
    [InlineData(0.5)]
    public void Choose_100kUsers_ShareWithinHalfAPointOfWeight(double weight)
    {
        var routing = Routing(Canary(weight));
        var context = Context();

        var inCanary = Enumerable.Range(0, 100_000).Count(i => Choose(routing, Attributes($"user-{i}"), context).Canary is not null);

        Assert.InRange(inCanary / 1000.0, weight - 0.5, weight + 0.5);
    }

    [Fact]
    public void Choose_SameUserManyTimes_SameVersionEveryTime()
    {
        var routing = Routing(Canary(50));

        for (var i = 0; i < 1000; i++)
        {
            var user = $"user-{i}";
            var first = Choose(routing, Attributes(user));
            Assert.All(Enumerable.Range(0, 5), _ => Assert.Equal(first, Choose(routing, Attributes(user))));
        }
    }

    [Fact]
    public void Choose_WeightRaisedFrom10To20_NoUserMovesBackToStable()
    {
        var at10 = Routing(Canary(10));
        var at20 = Routing(Canary(20));
        var users = Enumerable.Range(0, 20_000).Select(i => $"user-{i}").ToList();

        var canaryAt10 = users.Where(u => Choose(at10, Attributes(u)).Canary is not null).ToList();
        var canaryAt20 = users.Where(u => Choose(at20, Attributes(u)).Canary is not null).ToHashSet();

        Assert.NotEmpty(canaryAt10);
        Assert.All(canaryAt10, u => Assert.Contains(u, canaryAt20));
        Assert.True(canaryAt20.Count > canaryAt10.Count * 1.5);
    }

    [Fact]
    public void Choose_OutsideCohort_NeverCanaryEvenAtFullWeightOrOptIn()
    {
        var routing = Routing(Canary(100, new CanaryCohortSpec { Tenants = ["globex"], Groups = ["early-access"], Regions = ["eu"] }));
        var optIn = Context(b => b.Header("x-canary-opt-in", "true"));

        for (var i = 0; i < 2000; i++)
        {
            Assert.Equal("not_in_cohort", Choose(routing, Attributes($"u{i}", tenant: "acme", groups: ["early-access"]), optIn).Reason);
            Assert.Equal("not_in_cohort", Choose(routing, Attributes($"u{i}", tenant: "globex", groups: ["other"]), optIn).Reason);
            Assert.Equal("not_in_cohort", Choose(routing, Attributes($"u{i}", tenant: "globex", groups: ["early-access"], region: "us"), optIn).Reason);
        }

        Assert.Equal("canary-2", Choose(routing, Attributes("u1", tenant: "globex", groups: ["early-access"])).Cluster);
    }

    [Fact]
    public void Choose_PinnedVersion_ThatVersionsClusterWhateverTheCanary()
    {
        var routing = Routing(Canary(100));
        var request = Attributes("u1");
        request.ModelVersion = "3";

        Assert.Equal(new RouteChoice("canary-3", "3", null, "pinned"), Choose(routing, request, pinned: true));
        request.ModelVersion = "1";
        Assert.Equal(new RouteChoice("stable", "1", null, "pinned"), Choose(routing, request, pinned: true));
    }

    [Fact]
    public void Choose_OptInAtZeroWeight_CanaryAndOptOutAtFullWeight_Stable()
    {
        var routing = Routing(Canary(0));
        var full = Routing(Canary(100));

        Assert.Equal("opt_in", Choose(routing, Attributes("u1"), Context(b => b.Header("x-canary-opt-in", "1"))).Reason);
        Assert.Equal("stable", Choose(routing, Attributes("u1"), Context(b => b.Header("x-canary-opt-in", "no"))).Reason);
        Assert.Equal(new RouteChoice("stable", "1", null, "opt_out"), Choose(full, Attributes("u1"), Context(b => b.Header("x-canary-opt-out", "TRUE"))));
    }

    [Fact]
    public void Choose_HaltedCanary_StableAndNextCanaryStillServes()
    {
        var routing = Routing(Canary(100), Canary(100, version: "3"));
        var halts = new CanaryHaltRegistry();
        halts.Halt(routing.Canaries[0].Key, new CanaryHalt("error_rate", "test", DateTimeOffset.UnixEpoch));

        var choice = Choose(routing, Attributes("u1"), halts: halts);

        Assert.Equal(new RouteChoice("canary-3", "3", "v3", "weight"), choice);
        halts.Halt(routing.Canaries[1].Key, new CanaryHalt("error_rate", "test", DateTimeOffset.UnixEpoch));
        Assert.Equal(new RouteChoice("stable", "1", null, "halted"), Choose(routing, Attributes("u1"), halts: halts));
    }

    [Fact]
    public void Choose_CanaryChangedInPolicy_OldHaltNoLongerApplies()
    {
        var halts = new CanaryHaltRegistry();
        var before = Routing(Canary(100));
        halts.Halt(before.Canaries[0].Key, new CanaryHalt("error_rate", "test", DateTimeOffset.UnixEpoch));

        var reloadedUnchanged = Routing(Canary(100));
        var changed = Routing(Canary(50));

        Assert.Equal("halted", Choose(reloadedUnchanged, Attributes("u1"), halts: halts).Reason);
        Assert.NotEqual(before.Canaries[0].Key, changed.Canaries[0].Key);
    }

    [Theory]
    [InlineData(StickinessKey.Header, "x-session", "x-session", "s-1")]
    [InlineData(StickinessKey.Cookie, "sid", "cookie", "theme=dark; sid=s-1")]
    public void Choose_StickinessByHeaderOrCookie_KeyedByItAndStableWithoutIt(StickinessKey by, string name, string header, string value)
    {
        var routing = Routing(Canary(100, by: by, name: name));

        Assert.Equal("weight", Choose(routing, Attributes("u1"), Context(b => b.Header(header, value))).Reason);
        Assert.Equal("no_stickiness_key", Choose(routing, Attributes("u1")).Reason);
    }

    [Fact]
    public void Choose_StickinessByTenant_WholeTenantTogether()
    {
        var routing = Routing(Canary(50, by: StickinessKey.Tenant));
        var tenants = Enumerable.Range(0, 200).Select(t => $"tenant-{t}");

        foreach (var tenant in tenants)
        {
            var versions = Enumerable.Range(0, 20).Select(u => Choose(routing, Attributes($"user-{u}", tenant: tenant)).Version).Distinct();
            Assert.Single(versions);
        }
    }
}

using System.Net;
using EnvoyGovern.ExtAuthz.Access;
using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.Tests.Cli;

/// <summary>Explain must tell the engine's story: same conditions, same result as IsMatch.</summary>
public sealed class MatchExplainerTests
{
    private static readonly MatchSpec Everything = new()
    {
        Authenticated = true,
        Methods = ["POST"],
        Hosts = ["*.example.com"],
        Paths = ["/v1/*"],
        Tenants = ["acme"],
        Subjects = ["svc"],
        Groups = ["dev"],
        Regions = ["eu"],
        NotRegions = ["embargoed"],
        Models = ["gpt-4o"],
        ModelVersions = ["1"],
        SourceCidrs = ["10.0.0.0/8"],
        ContextExtensions = new Dictionary<string, string> { ["route"] = "chat" },
        Time = new TimeWindowSpec { After = "09:00", Before = "17:00" },
    };

    private static RequestAttributes Matching() => new()
    {
        Host = "api.example.com",
        Method = "POST",
        Path = "/v1/chat",
        Source = IPAddress.Parse("10.1.2.3"),
        Now = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero),
        ContextExtensions = new Dictionary<string, string> { ["route"] = "chat" },
        Identity = new CallerIdentity("apiKey", "svc", "acme", ["dev"]),
        Region = "eu",
        Model = "gpt-4o",
        ModelVersion = "1",
    };

    [Fact]
    public void Explain_EveryConditionSet_CoversEveryMatchSpecField()
    {
        var conditions = new CompiledMatch(Everything).Explain(Matching());

        // A field added to MatchSpec (and IsMatch) but not to Explain fails here.
        var fields = typeof(MatchSpec).GetProperties().Select(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..]).Order(StringComparer.Ordinal);
        Assert.Equal(fields, conditions.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(conditions, c => Assert.True(c.Holds, c.Name));
        Assert.True(new CompiledMatch(Everything).IsMatch(Matching()));
    }

    public static TheoryData<string> Breakers() => ["authenticated", "methods", "hosts", "paths", "tenants", "subjects", "groups", "regions", "notRegions", "models", "modelVersions", "sourceCidrs", "contextExtensions", "time"];

    [Theory]
    [MemberData(nameof(Breakers))]
    public void Explain_OneConditionFails_OnlyThatOneAndIsMatchAgrees(string condition)
    {
        var request = Break(condition);
        var match = new CompiledMatch(Everything);

        var failed = match.Explain(request).Where(c => !c.Holds).Select(c => c.Name);

        Assert.Contains(condition, failed);
        Assert.False(match.IsMatch(request));
    }

    [Fact]
    public void Explain_Anonymous_SaysSo()
    {
        var request = Matching();
        request.Identity = null;

        var conditions = new CompiledMatch(new MatchSpec { Authenticated = true, Tenants = ["acme"] }).Explain(request);

        Assert.Equal([new("authenticated", false, "request is anonymous"), new("tenants", false, "request has none")], conditions);
    }

    private static RequestAttributes Break(string condition)
    {
        var r = Matching();
        return condition switch
        {
            "authenticated" => With(r, identity: null),
            "methods" => Copy(r, method: "GET"),
            "hosts" => Copy(r, host: "other.org"),
            "paths" => Copy(r, path: "/v2/chat"),
            "tenants" => With(r, r.Identity! with { Tenant = "globex" }),
            "subjects" => With(r, r.Identity! with { Subject = "other" }),
            "groups" => With(r, r.Identity! with { Groups = ["ops"] }),
            "regions" => Set(r, x => x.Region = "us"),
            "notRegions" => Set(r, x => x.Region = "embargoed"),
            "models" => Set(r, x => x.Model = "o1"),
            "modelVersions" => Set(r, x => x.ModelVersion = "2"),
            "sourceCidrs" => Copy(r, source: IPAddress.Parse("192.0.2.1")),
            "contextExtensions" => Copy(r, extensions: new Dictionary<string, string>()),
            "time" => Copy(r, now: r.Now.AddHours(10)),
            _ => throw new ArgumentOutOfRangeException(nameof(condition)),
        };
    }

    private static RequestAttributes With(RequestAttributes r, CallerIdentity? identity) => Set(r, x => x.Identity = identity);

    private static RequestAttributes Set(RequestAttributes r, Action<RequestAttributes> change)
    {
        change(r);
        return r;
    }

    private static RequestAttributes Copy(RequestAttributes r, string? method = null, string? host = null, string? path = null, IPAddress? source = null, IReadOnlyDictionary<string, string>? extensions = null, DateTimeOffset? now = null) => new()
    {
        Host = host ?? r.Host,
        Method = method ?? r.Method,
        Path = path ?? r.Path,
        Source = source ?? r.Source,
        Now = now ?? r.Now,
        ContextExtensions = extensions ?? r.ContextExtensions,
        Identity = r.Identity,
        Region = r.Region,
        Model = r.Model,
        ModelVersion = r.ModelVersion,
    };
}

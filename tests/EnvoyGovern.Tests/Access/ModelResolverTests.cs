using System.Text;
using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.ExtAuthz.Access;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.Tests.Access;

/// <summary>Where the model comes from (header, path, JSON body as text or bytes) and how the catalog names it.</summary>
public sealed class ModelResolverTests
{
    private static readonly ModelResolver Resolver = new(new ModelsSpec
    {
        Header = "X-Model",
        PathPattern = "^/openai/deployments/(?<model>[^/]+)/",
        Catalog =
        [
            new ModelSpec
            {
                Name = "gpt-4o",
                Stable = "2024-08-06",
                Versions = [new() { Name = "2024-08-06", Id = "gpt-4o-2024-08-06" }, new() { Name = "2024-11-20", Id = "gpt-4o-2024-11-20" }],
            },
        ],
    });

    private static (string? Model, string? Version) Resolve(string body, bool asBytes = false, string path = "/v1/chat/completions", string? header = null)
    {
        var builder = new EnvoyCheckRequestBuilder().Method("POST").Path(path).Authority("api.example.com")
            .Body(Encoding.UTF8.GetBytes(body), packAsBytes: asBytes);
        if (header is not null)
        {
            builder.Header("x-model", header);
        }

        var context = new CheckContext(builder.Build(), "id", DateTimeOffset.UnixEpoch);
        var request = new RequestAttributes
        {
            Host = "api.example.com",
            Method = "POST",
            Path = path,
            Now = DateTimeOffset.UnixEpoch,
            ContextExtensions = new Dictionary<string, string>(),
        };
        var resolved = Resolver.Resolve(context, request);
        return (resolved.Model, resolved.Version);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Resolve_VersionIdInBody_CatalogNameAndVersion(bool asBytes)
    {
        Assert.Equal(("gpt-4o", "2024-11-20"), Resolve("""{"messages":[{"role":"user","model":"x"}],"model":"gpt-4o-2024-11-20"}""", asBytes));
    }

    [Fact]
    public void Resolve_ModelNameInBody_StableVersion()
    {
        Assert.Equal(("gpt-4o", "2024-08-06"), Resolve("""{"model":"gpt-4o"}"""));
    }

    [Fact]
    public void Resolve_EscapedModelInBody_Unescaped()
    {
        Assert.Equal(("gpt-4o", "2024-08-06"), Resolve("""{"model":"gpt\u002d4o"}"""));
    }

    [Fact]
    public void Resolve_UnknownModel_KeptByNameWithoutVersion()
    {
        Assert.Equal(("llama-3", null), Resolve("""{"model":"llama-3"}"""));
    }

    [Fact]
    public void Resolve_VeryLongModelId_KeptByName()
    {
        var id = new string('m', 1000);

        Assert.Equal((id, null), Resolve($$"""{"model":"{{id}}"}"""));
    }

    [Theory]
    [InlineData("""{"model":""}""")]
    [InlineData("""{"model":42}""")]
    [InlineData("""{"messages":[],"mod""")]
    [InlineData("""[{"model":"gpt-4o"}]""")]
    [InlineData("")]
    public void Resolve_NoUsableModelInBody_None(string body)
    {
        Assert.Equal((null, null), Resolve(body));
    }

    // Envoy may send only the first max_request_bytes (allow_partial_message): what was read still counts.
    [Fact]
    public void Resolve_BodyTruncatedAfterModel_ModelRead()
    {
        Assert.Equal(("gpt-4o", "2024-08-06"), Resolve("""{"model":"gpt-4o","messages":[{"role":"us"""));
    }

    [Fact]
    public void Resolve_HeaderAndBody_HeaderWins()
    {
        Assert.Equal(("gpt-4o", "2024-11-20"), Resolve("""{"model":"llama-3"}""", header: "gpt-4o-2024-11-20"));
    }

    [Fact]
    public void Resolve_PathPattern_ModelFromPath()
    {
        Assert.Equal(("gpt-4o", "2024-08-06"), Resolve("{}", path: "/openai/deployments/gpt-4o-2024-08-06/chat/completions"));
    }
}

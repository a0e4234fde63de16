using EnvoyGovern.Cli.PolicyTesting;
using EnvoyGovern.Conformance.CheckRequests;

namespace EnvoyGovern.Tests.Cli;

/// <summary>The CLI's CheckRequests match the conformance harness's, which pins how Envoy fills them.</summary>
public sealed class CheckRequestBuilderTests
{
    [Fact]
    public void Build_ChatRequest_MatchesEnvoysShape()
    {
        var request = new TestRequest
        {
            Method = "POST",
            Path = "/v1/chat/completions?x=1",
            Host = "api.example.com:8443",
            Scheme = "https",
            Source = "198.51.100.7",
            Headers = [new("X-Api-Key", "k"), new("accept", "a"), new("accept", "b")],
            Body = "{\"model\":\"gpt-4o\"}",
            ContextExtensions = new Dictionary<string, string> { ["policy"] = "api-example" },
        };
        var expected = new EnvoyCheckRequestBuilder()
            .Method("POST").Path("/v1/chat/completions?x=1").Authority("api.example.com:8443").Scheme("https").Http11()
            .Source("198.51.100.7", 40000)
            .Header("X-Api-Key", "k").Header("accept", "a").Header("accept", "b")
            .Body("{\"model\":\"gpt-4o\"}"u8.ToArray())
            .ContextExtension("policy", "api-example")
            .Build();

        var actual = CheckRequestBuilder.Build(request, DateTimeOffset.UnixEpoch);

        var (want, got) = (expected.Attributes.Request.Http, actual.Attributes.Request.Http);
        Assert.Equal(want.Headers.OrderBy(h => h.Key), got.Headers.OrderBy(h => h.Key));
        Assert.Equal((want.Method, want.Path, want.Host, want.Scheme, want.Protocol, want.Body, want.Size), (got.Method, got.Path, got.Host, got.Scheme, got.Protocol, got.Body, got.Size));
        Assert.Equal(expected.Attributes.Source.Address, actual.Attributes.Source.Address);
        Assert.Equal(expected.Attributes.ContextExtensions, actual.Attributes.ContextExtensions);
        Assert.Matches("^[0-9]+$", got.Id);
    }

    [Fact]
    public void Build_NoBody_SizeFromContentLengthAndNoPartialBodyHeader()
    {
        var actual = CheckRequestBuilder.Build(new TestRequest { Host = "a.example.com", Headers = [new("content-length", "12")] }, DateTimeOffset.UnixEpoch);

        Assert.Equal(12, actual.Attributes.Request.Http.Size);
        Assert.False(actual.Attributes.Request.Http.Headers.ContainsKey("x-envoy-auth-partial-body"));
        Assert.Equal("GET", actual.Attributes.Request.Http.Headers[":method"]);
    }
}

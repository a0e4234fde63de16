using System.Text;
using EnvoyGovern.Conformance.CheckRequests;

namespace EnvoyGovern.Conformance.Tests.CheckRequests;

public sealed class EnvoyCheckRequestBuilderTests
{
    [Fact]
    public void Build_Defaults_MatchEnvoyShape()
    {
        var http = new EnvoyCheckRequestBuilder().Build().Attributes.Request.Http;

        Assert.Equal(("GET", "/", "example.com", "https", "HTTP/2", -1L), (http.Method, http.Path, http.Host, http.Scheme, http.Protocol, http.Size));
        Assert.Equal(string.Empty, http.Query);
        Assert.Equal("example.com", http.Headers[":authority"]);
        Assert.Equal("GET", http.Headers[":method"]);
        Assert.Equal("/", http.Headers[":path"]);
        Assert.Equal("https", http.Headers[":scheme"]);
    }

    [Fact]
    public void Build_PathWithQuery_KeepsRawTargetAndEmptyQuery()
    {
        var http = new EnvoyCheckRequestBuilder().Path("/a%20b?x=1&y=2").Build().Attributes.Request.Http;

        Assert.Equal("/a%20b?x=1&y=2", http.Path);
        Assert.Equal(string.Empty, http.Query);
    }

    [Fact]
    public void Build_RepeatedHeaders_JoinedWithCommaAndLowerCased()
    {
        var http = new EnvoyCheckRequestBuilder().Header("X-Tag", "a").Header("x-tag", "b").Build().Attributes.Request.Http;

        Assert.Equal("a,b", http.Headers["x-tag"]);
    }

    [Fact]
    public void Build_EncodeRawHeaders_FillsHeaderMapOnlyWithRepeatsApart()
    {
        var http = new EnvoyCheckRequestBuilder().Header("x-tag", "a").Header("x-tag", "b").EncodeRawHeaders().Build().Attributes.Request.Http;

        Assert.Empty(http.Headers);
        Assert.Equal(["a", "b"], http.HeaderMap.Headers.Where(h => h.Key == "x-tag").Select(h => h.RawValue.ToStringUtf8()));
        Assert.All(http.HeaderMap.Headers, h => Assert.Equal(string.Empty, h.Value));
    }

    [Fact]
    public void Build_BodyPackedAsBytes_FillsRawBodySizeAndPartialHeader()
    {
        var http = new EnvoyCheckRequestBuilder().Body(Encoding.UTF8.GetBytes("hello"), packAsBytes: true, partial: true).Build().Attributes.Request.Http;

        Assert.Equal("hello", http.RawBody.ToStringUtf8());
        Assert.Equal(string.Empty, http.Body);
        Assert.Equal(5, http.Size);
        Assert.Equal("true", http.Headers["x-envoy-auth-partial-body"]);
    }

    [Fact]
    public void Build_PeerAndRouteSettings_AreCarried()
    {
        var attributes = new EnvoyCheckRequestBuilder().Source("10.0.0.7", 4000).Principal("spiffe://a/b")
            .ContextExtension("tenant", "t1").Sni("api.example.com").Http11().Build().Attributes;

        Assert.Equal("10.0.0.7", attributes.Source.Address.SocketAddress.Address);
        Assert.Equal("spiffe://a/b", attributes.Source.Principal);
        Assert.Equal("t1", attributes.ContextExtensions["tenant"]);
        Assert.Equal("api.example.com", attributes.TlsSession.Sni);
        Assert.Equal("HTTP/1.1", attributes.Request.Http.Protocol);
    }
}

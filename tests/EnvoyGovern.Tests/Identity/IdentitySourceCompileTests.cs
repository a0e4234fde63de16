using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.Governance.Policy.Model;
using static EnvoyGovern.Tests.Identity.IdentityTestKit;

namespace EnvoyGovern.Tests.Identity;

public sealed class IdentitySourceCompileTests
{
    private static readonly string Jwks = TestKey.Jwks(TestKey.Rsa("k"));

    [Theory]
    [InlineData("HS256")]
    [InlineData("none")]
    [InlineData("rs256")]
    [InlineData("EdDSA")]
    public void Create_AlgorithmNotPermitted_PolicyCompilationException(string algorithm)
    {
        var error = Assert.Throws<PolicyCompilationException>(() => Jwt(JwtSpec(Jwks, "RS256", algorithm)));

        Assert.Equal("/jwt/algorithms/1", error.Path);
    }

    [Fact]
    public void Create_TwoMembersSet_PolicyCompilationException()
    {
        var spec = new IdentitySourceSpec { EnvoyJwt = new EnvoyJwtSourceSpec(), Mtls = new MtlsSourceSpec() };

        Assert.Throws<PolicyCompilationException>(() => IdentitySources.Create(spec, Context()));
    }

    [Fact]
    public void Create_JwksTwoKinds_PolicyCompilationException()
    {
        var spec = JwtSpec(Jwks) with { Jwks = new JwksSpec { Inline = Jwks, Url = "https://idp.example.com/jwks" } };

        Assert.Equal("/jwt/jwks", Assert.Throws<PolicyCompilationException>(() => Jwt(spec)).Path);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"keys":[]}""")]
    public void Create_InlineJwksUnusable_PolicyCompilationException(string jwks)
    {
        Assert.Equal("/jwt/jwks/inline", Assert.Throws<PolicyCompilationException>(() => Jwt(JwtSpec(jwks))).Path);
    }

    [Fact]
    public void Create_JwksFileMissing_PolicyCompilationException()
    {
        var spec = JwtSpec(Jwks) with { Jwks = new JwksSpec { File = "missing-jwks.json" } };

        Assert.Equal("/jwt/jwks/file", Assert.Throws<PolicyCompilationException>(() => Jwt(spec)).Path);
    }

    [Fact]
    public void Create_RefreshIntervalTooShort_PolicyCompilationException()
    {
        var spec = JwtSpec(Jwks) with { Jwks = new JwksSpec { Url = "https://idp.example.com/jwks", RefreshInterval = "1s" } };

        Assert.Equal("/jwt/jwks/refreshInterval", Assert.Throws<PolicyCompilationException>(() => Jwt(spec)).Path);
    }

    [Fact]
    public void Create_EmptyIssuer_PolicyCompilationException()
    {
        Assert.Equal("/jwt/issuer", Assert.Throws<PolicyCompilationException>(() => Jwt(JwtSpec(Jwks) with { Issuer = " " })).Path);
    }

    [Theory]
    [InlineData("x api key")]
    [InlineData(":authority")]
    [InlineData("")]
    public void Create_BadHeaderName_PolicyCompilationException(string header)
    {
        var spec = new IdentitySourceSpec { ApiKey = new ApiKeySourceSpec { Header = header } };

        Assert.Equal("/apiKey/header", Assert.Throws<PolicyCompilationException>(() => IdentitySources.Create(spec, Context())).Path);
    }

    [Fact]
    public void Create_ContextPath_PrefixesErrorPath()
    {
        var context = new IdentitySourceContext { Path = "/spec/identity/3" };

        var error = Assert.Throws<PolicyCompilationException>(() => IdentitySources.Create(new IdentitySourceSpec { Jwt = JwtSpec(Jwks) with { ClockSkew = "forever" } }, context));

        Assert.Equal("/spec/identity/3/jwt/clockSkew", error.Path);
    }

    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("60s", 60_000)]
    [InlineData("10m", 600_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("0s", 0)]
    public void DurationParser_TryParse_Valid(string text, long milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var duration, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("60")]
    [InlineData("s")]
    [InlineData("-5s")]
    [InlineData("1.5s")]
    [InlineData("10 m")]
    [InlineData("1d")]
    [InlineData("99999999999999999999h")]
    [InlineData("")]
    public void DurationParser_TryParse_Invalid(string text)
    {
        Assert.False(DurationParser.TryParse(text, out _, out var error));
        Assert.Contains("ms, s, m or h", error, StringComparison.Ordinal);
    }
}

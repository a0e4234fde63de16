using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.Governance.Policy.Model;
using static EnvoyGovern.Tests.Identity.IdentityTestKit;
using static EnvoyGovern.Tests.Identity.JwtSourceTests;

namespace EnvoyGovern.Tests.Identity;

public sealed class JwtClaimsAndKeysTests
{
    private static readonly TestKey KeyRsa = TestKey.Rsa("rsa-1");

    [Fact]
    public async Task AuthenticateAsync_NoAuthorizationHeader_NoCredentialsMissingBearer()
    {
        using var source = (JwtSource)Jwt(JwtSpec(TestKey.Jwks(KeyRsa)));

        var result = await Authenticate(source, Request());

        Assert.Equal(IdentityOutcome.NoCredentials, result.Outcome);
        Assert.Equal("missing_bearer", result.Reason);
    }

    [Theory]
    [InlineData("Basic YWxpY2U6c2VjcmV0")]
    [InlineData("Bearer")]
    [InlineData("Bearer    ")]
    public async Task AuthenticateAsync_NotABearerCredential_NoCredentials(string authorization)
    {
        using var source = (JwtSource)Jwt(JwtSpec(TestKey.Jwks(KeyRsa)));

        var result = await Authenticate(source, Request(b => b.Header("authorization", authorization)));

        Assert.Equal(IdentityOutcome.NoCredentials, result.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_LowerCaseBearerScheme_Authenticated()
    {
        using var source = (JwtSource)Jwt(JwtSpec(TestKey.Jwks(KeyRsa)));

        var result = await Authenticate(source, Request(b => b.Header("authorization", "bearer " + KeyRsa.Sign(new TokenSpec()))));

        Assert.Equal(IdentityOutcome.Authenticated, result.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_CustomHeaderWithRawToken_Authenticated()
    {
        using var source = (JwtSource)Jwt(JwtSpec(TestKey.Jwks(KeyRsa)) with { Header = "X-Id-Token" });

        var result = await Authenticate(source, Request(b => b.Header("x-id-token", KeyRsa.Sign(new TokenSpec()))));

        Assert.Equal(IdentityOutcome.Authenticated, result.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_MappedClaims_IdentityFromConfiguredClaims()
    {
        var spec = JwtSpec(TestKey.Jwks(KeyRsa)) with
        {
            Claims = new ClaimMappingSpec { Subject = "email", Tenant = "org", Groups = "scope", Region = "region" },
        };
        using var source = (JwtSource)Jwt(spec);
        var token = KeyRsa.Sign(new TokenSpec
        {
            Claims = new() { ["sub"] = "u-1", ["email"] = "bob@example.com", ["org"] = "globex", ["scope"] = "read write,admin", ["region"] = "eu", ["jti"] = "t-42" },
        });

        var identity = (await Authenticate(source, Bearer(token))).Identity!;

        Assert.Equal("bob@example.com", identity.Subject);
        Assert.Equal("globex", identity.Tenant);
        Assert.Equal(["read", "write", "admin"], identity.Groups);
        Assert.Equal("eu", identity.Region);
        Assert.Equal("t-42", identity.CredentialId);
    }

    [Fact]
    public async Task AuthenticateAsync_NoSubjectClaim_MissingSubject()
    {
        using var source = (JwtSource)Jwt(JwtSpec(TestKey.Jwks(KeyRsa)));
        var token = KeyRsa.Sign(new TokenSpec { Claims = new() { ["tenant"] = "acme" } });

        AssertRejected(await Authenticate(source, Bearer(token)), "missing_subject");
    }

    [Fact]
    public async Task AuthenticateAsync_SameTokenTwice_SecondServedFromCache()
    {
        using var source = (JwtSource)Jwt(JwtSpec(TestKey.Jwks(KeyRsa)));
        var context = Bearer(KeyRsa.Sign(new TokenSpec()));

        var first = await Authenticate(source, context);
        var second = await Authenticate(source, context);

        Assert.Equal(IdentityOutcome.Authenticated, second.Outcome);
        Assert.Same(first.Identity, second.Identity);
    }

    [Fact]
    public async Task AuthenticateAsync_TokenCachedByAnotherPolicyVersion_NotTrusted()
    {
        var rotated = TestKey.Rsa("rsa-2");
        using var before = (JwtSource)Jwt(JwtSpec(TestKey.Jwks(KeyRsa)));
        using var after = (JwtSource)Jwt(JwtSpec(TestKey.Jwks(rotated)));
        var context = Bearer(KeyRsa.Sign(new TokenSpec()));
        Assert.Equal(IdentityOutcome.Authenticated, (await Authenticate(before, context)).Outcome);

        AssertRejected(await Authenticate(after, context), "unknown_key");
    }

    [Fact]
    public async Task AuthenticateAsync_JwksFromFile_Authenticated()
    {
        using var file = new TempFile(TestKey.Jwks(KeyRsa), ".json");
        var spec = JwtSpec("unused") with { Jwks = new JwksSpec { File = file.Name } };
        using var source = (JwtSource)IdentitySources.Create(new IdentitySourceSpec { Jwt = spec }, Context(baseDirectory: Path.GetDirectoryName(file.FullPath)));

        var result = await Authenticate(source, Bearer(KeyRsa.Sign(new TokenSpec())));

        Assert.Equal(IdentityOutcome.Authenticated, result.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_JwksWithSymmetricKeyOnly_PolicyRefused()
    {
        var jwks = """{"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}]}""";

        var error = Assert.Throws<PolicyCompilationException>(() => Jwt(JwtSpec(jwks)));

        Assert.Equal("/jwt/jwks/inline", error.Path);
        await Task.CompletedTask;
    }
}

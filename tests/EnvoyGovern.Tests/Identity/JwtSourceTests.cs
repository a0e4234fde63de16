using System.Security.Cryptography;
using EnvoyGovern.ExtAuthz.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static EnvoyGovern.Tests.Identity.IdentityTestKit;

namespace EnvoyGovern.Tests.Identity;

public sealed class JwtSourceTests : IDisposable
{
    private static readonly TestKey KeyRsa = TestKey.Rsa("rsa-1");
    private static readonly TestKey KeyEc = TestKey.EcP256("ec-1");
    private static readonly TestKey KeyPs = TestKey.Rsa("ps-1", "PS256");
    private readonly IIdentitySource _source;

    public JwtSourceTests() => _source = Jwt(JwtSpec(TestKey.Jwks(KeyRsa, KeyEc, KeyPs)));

    public void Dispose() => (_source as IDisposable)?.Dispose();

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    [InlineData("PS256")]
    public async Task AuthenticateAsync_ValidTokenForAlgorithm_Authenticated(string algorithm)
    {
        var key = algorithm switch { "RS256" => KeyRsa, "ES256" => KeyEc, _ => KeyPs };

        var result = await Authenticate(_source, Bearer(key.Sign(new TokenSpec())));

        Assert.Equal(IdentityOutcome.Authenticated, result.Outcome);
        Assert.Equal(new CallerIdentity("jwt", "alice", "acme", result.Identity!.Groups), result.Identity);
        Assert.Equal(["ml", "admins"], result.Identity.Groups);
    }

    [Theory]
    [InlineData("RS384")]
    [InlineData("RS512")]
    [InlineData("PS512")]
    public async Task AuthenticateAsync_LongerRsaVariantAllowedByPolicy_Authenticated(string algorithm)
    {
        var key = TestKey.Rsa("rsa-x", algorithm);
        using var source = (JwtSource)Jwt(JwtSpec(TestKey.Jwks(key), algorithm));

        var result = await Authenticate(source, Bearer(key.Sign(new TokenSpec())));

        Assert.Equal(IdentityOutcome.Authenticated, result.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_AlgorithmNotInPolicyList_AlgorithmNotAllowed()
    {
        using var source = (JwtSource)Jwt(JwtSpec(TestKey.Jwks(KeyRsa, KeyEc), "RS256"));

        var result = await Authenticate(source, Bearer(KeyEc.Sign(new TokenSpec())));

        AssertRejected(result, "algorithm_not_allowed");
    }

    [Fact]
    public async Task AuthenticateAsync_TokensShareCacheKey_EachValidatedOnItsOwn()
    {
        using var source = (JwtSource)Jwt(JwtSpec(TestKey.Jwks(KeyRsa)));
        source.CacheKeyMask = 0;
        var alice = KeyRsa.Sign(new TokenSpec());
        var bob = KeyRsa.Sign(new TokenSpec { Claims = new() { ["sub"] = "bob", ["tenant"] = "globex" } });
        var expired = KeyRsa.Sign(new TokenSpec { IssuedAt = Now.AddHours(-2), NotBefore = Now.AddHours(-2), Expires = Now.AddMinutes(-5) });

        var first = await Authenticate(source, Bearer(alice));
        var second = await Authenticate(source, Bearer(bob));
        var third = await Authenticate(source, Bearer(expired));
        var again = await Authenticate(source, Bearer(bob));

        Assert.Equal("alice", first.Identity?.Subject);
        Assert.Equal("bob", second.Identity?.Subject);
        AssertRejected(third, "token_expired");
        Assert.Equal("globex", again.Identity?.Tenant);
    }

    [Fact]
    public async Task AuthenticateAsync_Expired_TokenExpired()
    {
        var token = KeyRsa.Sign(new TokenSpec { IssuedAt = Now.AddHours(-2), NotBefore = Now.AddHours(-2), Expires = Now.AddMinutes(-5) });

        AssertRejected(await Authenticate(_source, Bearer(token)), "token_expired");
    }

    [Fact]
    public async Task AuthenticateAsync_ExpiredWithinClockSkew_Authenticated()
    {
        var token = KeyRsa.Sign(new TokenSpec { IssuedAt = Now.AddHours(-1), NotBefore = Now.AddHours(-1), Expires = Now.AddSeconds(-30) });

        Assert.Equal(IdentityOutcome.Authenticated, (await Authenticate(_source, Bearer(token))).Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_NotYetValid_TokenNotYetValid()
    {
        var token = KeyRsa.Sign(new TokenSpec { IssuedAt = Now, NotBefore = Now.AddMinutes(10), Expires = Now.AddMinutes(40) });

        AssertRejected(await Authenticate(_source, Bearer(token)), "token_not_yet_valid");
    }

    [Fact]
    public async Task AuthenticateAsync_ClockAdvancesPastExpiry_TokenExpiredDespiteCache()
    {
        var clock = Clock();
        using var source = (JwtSource)Jwt(JwtSpec(TestKey.Jwks(KeyRsa)), clock);
        var token = KeyRsa.Sign(new TokenSpec { Expires = Now.AddMinutes(2) });
        Assert.Equal(IdentityOutcome.Authenticated, (await Authenticate(source, Bearer(token))).Outcome);

        clock.Advance(TimeSpan.FromMinutes(4));

        AssertRejected(await Authenticate(source, Bearer(token)), "token_expired");
    }

    [Fact]
    public async Task AuthenticateAsync_ClockReachesNotBefore_Authenticated()
    {
        var clock = Clock();
        using var source = (JwtSource)Jwt(JwtSpec(TestKey.Jwks(KeyRsa)), clock);
        var token = KeyRsa.Sign(new TokenSpec { NotBefore = Now.AddMinutes(5), Expires = Now.AddMinutes(30) });
        AssertRejected(await Authenticate(source, Bearer(token)), "token_not_yet_valid");

        clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(IdentityOutcome.Authenticated, (await Authenticate(source, Bearer(token))).Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_NoExpiry_MalformedToken()
    {
        var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = new Dictionary<string, object> { ["sub"] = "alice" },
            SigningCredentials = new SigningCredentials(KeyRsa.PrivateKey, "RS256"),
        });

        AssertRejected(await Authenticate(_source, Bearer(token)), "malformed_token");
    }

    [Fact]
    public async Task AuthenticateAsync_WrongIssuer_WrongIssuer()
    {
        var token = KeyRsa.Sign(new TokenSpec { Issuer = "https://evil.example.com/" });

        AssertRejected(await Authenticate(_source, Bearer(token)), "wrong_issuer");
    }

    [Fact]
    public async Task AuthenticateAsync_WrongAudience_WrongAudience()
    {
        var token = KeyRsa.Sign(new TokenSpec { Audience = "another-api" });

        AssertRejected(await Authenticate(_source, Bearer(token)), "wrong_audience");
    }

    [Fact]
    public async Task AuthenticateAsync_NoAudienceConfigured_AnyAudienceAccepted()
    {
        using var source = (JwtSource)Jwt(JwtSpec(TestKey.Jwks(KeyRsa)) with { Audiences = [] });

        var result = await Authenticate(source, Bearer(KeyRsa.Sign(new TokenSpec { Audience = "another-api" })));

        Assert.Equal(IdentityOutcome.Authenticated, result.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_SignedByAnotherKeyUnderTrustedKid_BadSignature()
    {
        var forger = TestKey.Rsa("attacker").WithKid("rsa-1");

        AssertRejected(await Authenticate(_source, Bearer(forger.Sign(new TokenSpec()))), "bad_signature");
    }

    [Fact]
    public async Task AuthenticateAsync_SignedByAnotherKeyWithoutKid_BadSignature()
    {
        var forger = TestKey.Rsa(null);

        AssertRejected(await Authenticate(_source, Bearer(forger.Sign(new TokenSpec()))), "bad_signature");
    }

    [Fact]
    public async Task AuthenticateAsync_TamperedPayload_BadSignature()
    {
        var parts = KeyRsa.Sign(new TokenSpec()).Split('.');
        var payload = Base64UrlEncoder.Encode(Base64UrlEncoder.Decode(parts[1]).Replace("alice", "admin", StringComparison.Ordinal));

        AssertRejected(await Authenticate(_source, Bearer($"{parts[0]}.{payload}.{parts[2]}")), "bad_signature");
    }

    [Fact]
    public async Task AuthenticateAsync_AlgNone_AlgorithmNotAllowed()
    {
        var token = TestKey.AlgNone($$"""{"iss":"{{Issuer}}","aud":"{{Audience}}","sub":"alice","exp":{{Now.AddHours(1).ToUnixTimeSeconds()}}}""");

        AssertRejected(await Authenticate(_source, Bearer(token)), "algorithm_not_allowed");
    }

    [Fact]
    public async Task AuthenticateAsync_Hs256SignedWithPublicModulusUnderTrustedKid_AlgorithmNotAllowed()
    {
        // The algorithm-confusion attack: HMAC keyed with public material the attacker can read.
        var secret = new SymmetricSecurityKey(Base64UrlEncoder.DecodeBytes(KeyRsa.PublicJwk["n"])) { KeyId = "rsa-1" };
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Expires = Now.AddHours(1).UtcDateTime,
            NotBefore = Now.AddMinutes(-1).UtcDateTime,
            IssuedAt = Now.AddMinutes(-1).UtcDateTime,
            Claims = new Dictionary<string, object> { ["sub"] = "alice" },
            SigningCredentials = new SigningCredentials(secret, SecurityAlgorithms.HmacSha256),
        });

        AssertRejected(await Authenticate(_source, Bearer(token)), "algorithm_not_allowed");
    }

    [Fact]
    public async Task AuthenticateAsync_UnknownKid_UnknownKey()
    {
        var stranger = TestKey.Rsa("rsa-2");

        AssertRejected(await Authenticate(_source, Bearer(stranger.Sign(new TokenSpec()))), "unknown_key");
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.!!!.sig")]
    [InlineData("e30.e30.")]
    [InlineData("a.b.c.d.e")]
    [InlineData("....")]
    public async Task AuthenticateAsync_MalformedToken_RejectedNotThrown(string token)
    {
        var result = await Authenticate(_source, Bearer(token));

        Assert.Equal(IdentityOutcome.Rejected, result.Outcome);
        Assert.Contains(result.Reason, new[] { "malformed_token", "algorithm_not_allowed" });
    }

    [Fact]
    public async Task AuthenticateAsync_64KiBToken_MalformedToken()
    {
        var huge = KeyRsa.Sign(new TokenSpec { Claims = new() { ["sub"] = "alice", ["pad"] = new string('x', 64 * 1024) } });
        Assert.True(huge.Length > 64 * 1024);

        AssertRejected(await Authenticate(_source, Bearer(huge)), "malformed_token");
    }

    [Fact]
    public async Task AuthenticateAsync_64KiBOfGarbage_MalformedToken()
    {
        var garbage = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48 * 1024));

        AssertRejected(await Authenticate(_source, Bearer(garbage)), "malformed_token");
    }

    internal static void AssertRejected(IdentityResult result, string reason)
    {
        Assert.Equal(IdentityOutcome.Rejected, result.Outcome);
        Assert.Equal(reason, result.Reason);
        Assert.Null(result.Identity);
        Assert.False(string.IsNullOrEmpty(result.Detail));
    }
}

using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace EnvoyGovern.Tests.Identity;

/// <summary>A signing key generated for the test run, with its public JWK.</summary>
public sealed class TestKey
{
    private TestKey(SecurityKey privateKey, string algorithm, Dictionary<string, string> publicJwk)
    {
        PrivateKey = privateKey;
        Algorithm = algorithm;
        PublicJwk = publicJwk;
    }

    public SecurityKey PrivateKey { get; }

    public string Algorithm { get; }

    public string? Kid => PrivateKey.KeyId;

    public Dictionary<string, string> PublicJwk { get; }

    public static TestKey Rsa(string? kid, string algorithm = "RS256")
    {
        var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(false);
        var jwk = new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["n"] = Base64UrlEncoder.Encode(p.Modulus),
            ["e"] = Base64UrlEncoder.Encode(p.Exponent),
        };
        return new TestKey(new RsaSecurityKey(rsa) { KeyId = kid }, algorithm, WithKid(jwk, kid));
    }

    public static TestKey EcP256(string? kid)
    {
        var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = ec.ExportParameters(false);
        var jwk = new Dictionary<string, string>
        {
            ["kty"] = "EC",
            ["use"] = "sig",
            ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(p.Q.X),
            ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
        };
        return new TestKey(new ECDsaSecurityKey(ec) { KeyId = kid }, "ES256", WithKid(jwk, kid));
    }

    /// <summary>This key under another kid, e.g. to forge a token that names a trusted kid.</summary>
    public TestKey WithKid(string kid) => new(Clone(PrivateKey, kid), Algorithm, WithKid(new Dictionary<string, string>(PublicJwk), kid));

    public static string Jwks(params TestKey[] keys) =>
        JsonSerializer.Serialize(new { keys = keys.Select(k => k.PublicJwk).ToArray() });

    public string Sign(TokenSpec spec)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = spec.Issuer,
            Audience = spec.Audience,
            IssuedAt = spec.IssuedAt.UtcDateTime,
            NotBefore = spec.NotBefore.UtcDateTime,
            Expires = spec.Expires.UtcDateTime,
            Claims = spec.Claims,
            SigningCredentials = new SigningCredentials(PrivateKey, Algorithm),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>An unsigned token (<c>alg: none</c>), built by hand: the handler refuses to make one.</summary>
    public static string AlgNone(string payloadJson) =>
        $"{Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""")}.{Base64UrlEncoder.Encode(payloadJson)}.";

    private static Dictionary<string, string> WithKid(Dictionary<string, string> jwk, string? kid)
    {
        if (kid is not null)
        {
            jwk["kid"] = kid;
        }

        return jwk;
    }

    private static SecurityKey Clone(SecurityKey key, string kid) => key switch
    {
        RsaSecurityKey rsa => new RsaSecurityKey(rsa.Rsa) { KeyId = kid },
        ECDsaSecurityKey ec => new ECDsaSecurityKey(ec.ECDsa) { KeyId = kid },
        _ => throw new NotSupportedException(),
    };
}

/// <summary>What goes into a test token; times default around <see cref="IdentityTestKit.Now"/>.</summary>
public sealed record TokenSpec
{
    public string Issuer { get; init; } = IdentityTestKit.Issuer;

    public string? Audience { get; init; } = IdentityTestKit.Audience;

    public DateTimeOffset IssuedAt { get; init; } = IdentityTestKit.Now.AddMinutes(-1);

    public DateTimeOffset NotBefore { get; init; } = IdentityTestKit.Now.AddMinutes(-1);

    public DateTimeOffset Expires { get; init; } = IdentityTestKit.Now.AddMinutes(30);

    public Dictionary<string, object> Claims { get; init; } = new() { ["sub"] = "alice", ["tenant"] = "acme", ["groups"] = new[] { "ml", "admins" } };
}

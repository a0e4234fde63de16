using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace EnvoyGovern.LoadRequests;

/// <summary>An RS256 key made for the run: its JWKS goes inline into the policy, tokens are signed with it.</summary>
internal sealed class Signer : IDisposable
{
    private const string Kid = "bench-1";
    private static readonly string[] Groups = ["developers", "ml-platform"];

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public string Jwks()
    {
        var p = _rsa.ExportParameters(false);
        var jwk = new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["kid"] = Kid,
            ["n"] = Base64UrlEncoder.Encode(p.Modulus),
            ["e"] = Base64UrlEncoder.Encode(p.Exponent),
        };
        return JsonSerializer.Serialize(new { keys = new[] { jwk } });
    }

    /// <summary>A token for the benchmark caller; <paramref name="jti"/> makes tokens distinct (for cold validation).</summary>
    public string Token(string jti)
    {
        var now = DateTime.UtcNow;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = GeneratedPolicy.Issuer,
            Audience = GeneratedPolicy.Audience,
            IssuedAt = now,
            NotBefore = now.AddMinutes(-1),
            Expires = now.AddHours(4),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = "svc-bench",
                ["tenant"] = GeneratedPolicy.Tenant,
                ["groups"] = Groups,
                ["jti"] = jti,
            },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = Kid }, SecurityAlgorithms.RsaSha256),
        });
    }

    public void Dispose() => _rsa.Dispose();
}

using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace EnvoyGovern.Cli;

/// <summary>What a demo token says about its caller.</summary>
/// <param name="Tenant">The <c>tenant</c> claim.</param>
/// <param name="Groups">The <c>groups</c> claim; omitted when empty.</param>
/// <param name="Subject">The <c>sub</c> claim.</param>
/// <param name="Lifetime">From the issue time to <c>exp</c>.</param>
/// <param name="Audience">The <c>aud</c> claim; only tests change it, to see a wrong audience refused.</param>
internal sealed record DemoTokenClaims(string Tenant, IReadOnlyList<string> Groups, string Subject, TimeSpan Lifetime, string Audience = DemoTokenIssuer.Audience);

/// <summary>
/// The demo JWT issuer that envoy-config/policy/api-example.yaml trusts. Its private key is committed
/// (envoy-config/demo-jwt), so these tokens prove nothing outside the demo.
/// </summary>
internal static class DemoTokenIssuer
{
    public const string Issuer = "https://issuer.demo.envoygovern.io";
    public const string Audience = "api.example.com";

    /// <summary>The kid of the public key in the demo policy's JWKS; tokens name it so the service picks that key.</summary>
    public const string KeyId = "demo-2026";

    /// <summary>Relative to the current directory, which for <c>dotnet run</c> from the repository root is the root.</summary>
    public const string DefaultKeyPath = "envoy-config/demo-jwt/demo-issuer.key.pem";

    /// <summary>Reads a PEM P-256 private key; throws <see cref="FormatException"/> when the file holds anything else.</summary>
    public static ECDsa LoadKey(string path)
    {
        var pem = File.ReadAllText(path);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);

            // ES256 is P-256 only; another curve would sign tokens the policy refuses.
            if (key.KeySize != 256)
            {
                throw new FormatException($"'{path}' is a {key.KeySize}-bit EC key; ES256 needs P-256");
            }

            return key;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new FormatException($"'{path}' holds no usable EC private key (PEM): {ex.Message}", ex);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>An ES256 token issued at <paramref name="now"/>.</summary>
    public static string Sign(ECDsa key, DemoTokenClaims claims, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(claims);
        var payload = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["sub"] = claims.Subject,
            ["tenant"] = claims.Tenant,
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        if (claims.Groups.Count > 0)
        {
            payload["groups"] = claims.Groups.ToArray();
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = claims.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + claims.Lifetime).UtcDateTime,
            Claims = payload,
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key) { KeyId = KeyId }, SecurityAlgorithms.EcdsaSha256)
            {
                // The default factory caches signers by key id, so a later call with a new ECDsa of the same
                // kid would get a signer over the caller's already disposed key.
                CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false },
            },
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}

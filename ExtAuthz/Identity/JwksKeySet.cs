using Microsoft.IdentityModel.Tokens;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>
/// One immutable generation of verification keys. Requests hold on to the generation they started
/// with, so a refresh never changes keys under a validation in progress.
/// </summary>
internal sealed class JwksKeySet
{
    private readonly HashSet<string> _kids;

    private JwksKeySet(IReadOnlyList<SecurityKey> keys, DateTimeOffset loadedAt)
    {
        Keys = keys;
        LoadedAt = loadedAt;
        _kids = new HashSet<string>(keys.Select(k => k.KeyId).OfType<string>(), StringComparer.Ordinal);
    }

    public IReadOnlyList<SecurityKey> Keys { get; }

    public DateTimeOffset LoadedAt { get; }

    public bool HasKey(string kid) => _kids.Contains(kid);

    /// <summary>
    /// Parses a JWKS document, keeping only asymmetric signing keys: an <c>oct</c> key would let HMAC
    /// tokens verify, and anyone who can read a public JWKS could then forge them.
    /// </summary>
    public static JwksKeySet Parse(string json, DateTimeOffset loadedAt)
    {
        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(json);
        }
        catch (Exception ex) when (ex is ArgumentException or System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new FormatException("not a JWKS document", ex);
        }

        var keys = set.Keys
            .Where(k => k.Kty is JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve)
            .Where(k => string.IsNullOrEmpty(k.Use) || k.Use == JsonWebKeyUseNames.Sig)
            .Cast<SecurityKey>()
            .ToArray();
        if (keys.Length == 0)
        {
            throw new FormatException("the JWKS has no RSA or EC signing key");
        }

        return new JwksKeySet(keys, loadedAt);
    }
}

/// <summary>Where a jwt source gets its keys: fixed at compile time, or fetched and refreshed.</summary>
internal interface IJwksProvider
{
    /// <summary>The current keys; throws <see cref="Governance.Decisions.DependencyUnavailableException"/> when there are none.</summary>
    ValueTask<JwksKeySet> GetAsync(CancellationToken cancellationToken);

    /// <summary>A token names a key not in <paramref name="current"/>: refetch if allowed now, else return the current keys.</summary>
    ValueTask<JwksKeySet> RefreshForUnknownKeyAsync(JwksKeySet current, CancellationToken cancellationToken);
}

/// <summary>Keys given inline or in a file, read once with the policy.</summary>
internal sealed class StaticJwksProvider(JwksKeySet keys) : IJwksProvider
{
    public ValueTask<JwksKeySet> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(keys);

    public ValueTask<JwksKeySet> RefreshForUnknownKeyAsync(JwksKeySet current, CancellationToken cancellationToken) => ValueTask.FromResult(keys);
}

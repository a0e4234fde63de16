using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Policy.Model;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>
/// JWT bearer tokens verified here against the policy's key set. Validated identities are cached per
/// compiled source (so never across policy versions), keyed by a seeded hash of the token and
/// confirmed by the token itself, until the token expires or <see cref="MaxCacheLifetime"/> passes, whichever is first.
/// </summary>
internal sealed class JwtSource : IIdentitySource, IDisposable
{
    /// <summary>Longer tokens are rejected unparsed; real ones are a few KB, and parsing is the cost an attacker picks.</summary>
    internal const int MaxTokenChars = 16 * 1024;

    internal static readonly TimeSpan MaxCacheLifetime = TimeSpan.FromMinutes(5);
    private const int CacheEntries = 10_000;
    private const int CacheKeyLength = 16;

    private readonly JwtSourceSpec _spec;
    private readonly string _header;
    private readonly string[] _algorithms;
    private readonly TimeSpan _clockSkew;
    private readonly IJwksProvider _keys;
    private readonly ClaimMapper _claims;
    private readonly TimeProvider _time;
    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = MaxTokenChars };
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = CacheEntries });
    // Per source and process: nobody outside can predict which tokens share a cache key.
    private readonly long _cacheSeed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(sizeof(long)));
    private volatile KeyedParameters? _parameters;

    public JwtSource(JwtSourceSpec spec, string header, string[] algorithms, TimeSpan clockSkew, IJwksProvider keys, ClaimMapper claims, TimeProvider time)
    {
        _spec = spec;
        _header = header;
        _algorithms = algorithms;
        _clockSkew = clockSkew;
        _keys = keys;
        _claims = claims;
        _time = time;
    }

    public string Kind => "jwt";

    /// <summary>Bits of the hash that form the cache key; tests clear them to make every token collide.</summary>
    internal ulong CacheKeyMask { get; set; } = ulong.MaxValue;

    public ValueTask<IdentityResult> AuthenticateAsync(CheckContext context, CancellationToken cancellationToken)
    {
        if (!CredentialHeader.TryRead(context, _header, out var token))
        {
            return ValueTask.FromResult(new IdentityResult(IdentityOutcome.NoCredentials, Reason: "missing_bearer"));
        }

        if (token.Length > MaxTokenChars)
        {
            return ValueTask.FromResult(Reject("malformed_token"));
        }

        // A repeated token is answered from the cache without copying it. The key is a fast keyed hash;
        // what decides a hit is the token itself, so a collision (found or
        // forged) can only cost a validation, never lend one caller's identity to another token.
        Span<char> cacheKey = stackalloc char[CacheKeyLength];
        WriteCacheKey(token, cacheKey);
        if (_cache.TryGetValue(cacheKey, out CachedIdentity? cached) && cached!.Until > _time.GetUtcNow() && cached.Matches(token))
        {
            return ValueTask.FromResult(cached.Result);
        }

        return ValidateAsync(token.ToString(), cacheKey.ToString(), cancellationToken);
    }

    private async ValueTask<IdentityResult> ValidateAsync(string token, string cacheKey, CancellationToken cancellationToken)
    {
        if (!TryRead(token, out var jwt))
        {
            return Reject("malformed_token");
        }

        // Checked before any key is looked at: 'none' and HS* die here whatever the key set holds.
        if (!_algorithms.Contains(jwt.Alg, StringComparer.Ordinal))
        {
            return Reject("algorithm_not_allowed");
        }

        var keys = await _keys.GetAsync(cancellationToken);
        var hasKid = !string.IsNullOrEmpty(jwt.Kid);
        if (hasKid && !keys.HasKey(jwt.Kid))
        {
            keys = await _keys.RefreshForUnknownKeyAsync(keys, cancellationToken);
            if (!keys.HasKey(jwt.Kid))
            {
                return Reject("unknown_key");
            }
        }

        var validation = await _handler.ValidateTokenAsync(jwt, ParametersFor(keys));
        if (!validation.IsValid)
        {
            return Reject(JwtValidation.Reason(validation.Exception, hasKid));
        }

        var result = MapClaims(jwt);
        if (result.Outcome == IdentityOutcome.Authenticated)
        {
            Remember(cacheKey, token, result, jwt);
        }

        return result;
    }

    public void Dispose()
    {
        _cache.Dispose();
        (_keys as IDisposable)?.Dispose();
    }

    private static IdentityResult Reject(string reason) => IdentityResult.Reject(reason, JwtValidation.Detail(reason));

    private static bool TryRead(string token, out JsonWebToken jwt)
    {
        jwt = null!;
        try
        {
            jwt = new JsonWebToken(token);

            // An encrypted token (JWE) is never accepted: there is no decryption key to use.
            return !jwt.IsEncrypted;
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or FormatException or JsonException)
        {
            return false;
        }
    }

    private IdentityResult MapClaims(JsonWebToken jwt)
    {
        // The handler has checked the payload; re-read it as JSON so groups keep their array shape.
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        return _claims.Map(payload.RootElement);
    }

    private void WriteCacheKey(ReadOnlySpan<char> token, Span<char> key)
    {
        var hash = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(token), _cacheSeed) & CacheKeyMask;
        hash.TryFormat(key, out _, "x16", CultureInfo.InvariantCulture);
    }

    private void Remember(string cacheKey, string token, IdentityResult result, JsonWebToken jwt)
    {
        var now = _time.GetUtcNow();
        var until = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
        if (until > now + MaxCacheLifetime)
        {
            until = now + MaxCacheLifetime;
        }

        if (until <= now)
        {
            return; // inside the clock skew after exp: valid now, not worth keeping
        }

        // The cache's own expiry uses the system clock, so each hit is also checked against _time.
        _cache.Set(cacheKey, new CachedIdentity(result, until, token), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = until - now });
    }

    private TokenValidationParameters ParametersFor(JwksKeySet keys)
    {
        var current = _parameters;
        if (current is null || !ReferenceEquals(current.Keys, keys))
        {
            current = new KeyedParameters(keys, JwtValidation.Parameters(_spec, _algorithms, _clockSkew, _time, keys));
            _parameters = current;
        }

        return current.Parameters;
    }

    private sealed record KeyedParameters(JwksKeySet Keys, TokenValidationParameters Parameters);

    // Holds the token to tell a hit from a hash collision; the cache lives in memory only, as the
    // request that carried the token does. An ordinary (vectorized) comparison is enough: it only runs
    // when a presented token lands on an entry's key, which nobody can aim for without the process's
    // seed, so its timing says nothing usable. A constant-time one costs microseconds per Check.
    private sealed record CachedIdentity(IdentityResult Result, DateTimeOffset Until, string Token)
    {
        public bool Matches(ReadOnlySpan<char> token) => token.SequenceEqual(Token);
    }
}

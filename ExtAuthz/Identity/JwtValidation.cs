using EnvoyGovern.Governance.Policy.Model;
using Microsoft.IdentityModel.Tokens;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>The fixed part of JWT validation: algorithms, validation parameters, failure reasons.</summary>
internal static class JwtValidation
{
    /// <summary>
    /// Asymmetric algorithms only. <c>none</c> and HS* are never accepted whatever the policy says:
    /// HMAC against a public key set is the classic algorithm-confusion forgery.
    /// </summary>
    public static readonly IReadOnlySet<string> Permitted = new HashSet<string>(StringComparer.Ordinal)
    {
        "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512",
    };

    /// <summary>The policy's algorithms, each checked against <see cref="Permitted"/>.</summary>
    public static string[] Algorithms(IReadOnlyList<string> configured, string path)
    {
        if (configured.Count == 0)
        {
            throw new PolicyCompilationException(path, "list at least one algorithm");
        }

        for (var i = 0; i < configured.Count; i++)
        {
            if (!Permitted.Contains(configured[i]))
            {
                throw new PolicyCompilationException($"{path}/{i}", $"'{configured[i]}' is not allowed; use one of {string.Join(", ", Permitted)}");
            }
        }

        return [.. configured.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Parameters for one key generation; built once per generation and shared by all requests.</summary>
    public static TokenValidationParameters Parameters(JwtSourceSpec spec, string[] algorithms, TimeSpan clockSkew, TimeProvider time, JwksKeySet keys) => new()
    {
        ValidateIssuer = true,
        ValidIssuer = spec.Issuer,
        ValidateAudience = spec.Audiences.Count > 0,
        ValidAudiences = spec.Audiences,
        ValidAlgorithms = algorithms,
        IssuerSigningKeys = keys.Keys,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        ClockSkew = clockSkew,
        // The handler's own lifetime check reads the system clock; this one reads the injected clock.
        LifetimeValidator = (notBefore, expires, _, parameters) => ValidateLifetime(notBefore, expires, parameters.ClockSkew, time),
        TryAllIssuerSigningKeys = true,
        ValidateTokenReplay = false,
        SaveSigninToken = false,
    };

    /// <summary>
    /// Replaces the built-in check, so it must also do what that check does: require <c>exp</c>
    /// (RequireExpirationTime is not consulted once a delegate is set) and refuse <c>nbf</c> after <c>exp</c>.
    /// Failures throw the same exception types as the built-in check, which <see cref="Reason"/> maps.
    /// </summary>
    private static bool ValidateLifetime(DateTime? notBefore, DateTime? expires, TimeSpan skew, TimeProvider time)
    {
        if (expires is not { } exp)
        {
            throw new SecurityTokenNoExpirationException("The token has no exp claim.");
        }

        if (notBefore is { } nbf && nbf > exp)
        {
            throw new SecurityTokenInvalidLifetimeException("The token's nbf is after its exp.") { NotBefore = nbf, Expires = exp };
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (notBefore is { } start && start > now + skew)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = start };
        }

        if (exp < now - skew)
        {
            throw new SecurityTokenExpiredException("The token has expired.") { Expires = exp };
        }

        return true;
    }

    /// <summary>A stable reason for a validation failure; the exception text never reaches the caller.</summary>
    public static string Reason(Exception? failure, bool tokenHasKid) => failure switch
    {
        SecurityTokenExpiredException => "token_expired",
        SecurityTokenNotYetValidException => "token_not_yet_valid",
        SecurityTokenInvalidIssuerException => "wrong_issuer",
        SecurityTokenInvalidAudienceException => "wrong_audience",
        SecurityTokenInvalidAlgorithmException => "algorithm_not_allowed",
        SecurityTokenSignatureKeyNotFoundException when tokenHasKid => "unknown_key",
        SecurityTokenInvalidSignatureException => "bad_signature",
        _ => "malformed_token",
    };

    /// <summary>The sentence for the denial body.</summary>
    public static string Detail(string reason) => reason switch
    {
        "token_expired" => "The token has expired.",
        "token_not_yet_valid" => "The token is not valid yet.",
        "wrong_issuer" => "The token was issued by an issuer this policy does not trust.",
        "wrong_audience" => "The token is not meant for this service.",
        "algorithm_not_allowed" => "The token is signed with an algorithm this policy does not allow.",
        "unknown_key" => "The token is signed with a key that is not in the trusted key set.",
        "bad_signature" => "The token signature is not valid.",
        _ => "The token is malformed.",
    };
}

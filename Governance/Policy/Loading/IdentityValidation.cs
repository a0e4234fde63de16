using System.Text.Json;
using EnvoyGovern.Governance.Envoy;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.Governance.Policy.Loading;

/// <summary>Checks of identity sources that the schema cannot express.</summary>
internal static class IdentityValidation
{
    private static readonly HashSet<string> Algorithms = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"];

    public static void Check(IReadOnlyList<IdentitySourceSpec> sources, ErrorSink sink)
    {
        for (var i = 0; i < sources.Count; i++)
        {
            var at = $"/spec/identity/{i}";
            var source = sources[i];
            var set = (source.ApiKey is null ? 0 : 1) + (source.Jwt is null ? 0 : 1) + (source.Mtls is null ? 0 : 1) + (source.EnvoyJwt is null ? 0 : 1);
            if (set != 1)
            {
                sink.Add(at, "set exactly one of apiKey, jwt, mtls or envoyJwt in each identity source (use one list entry per source)");
                continue;
            }

            if (source.ApiKey is { } apiKey)
            {
                ApiKey(apiKey, $"{at}/apiKey", sink);
            }
            else if (source.Jwt is { } jwt)
            {
                Jwt(jwt, $"{at}/jwt", sink);
            }
            else if (source.Mtls is { } mtls && mtls.Principals.Count == 0)
            {
                sink.Add($"{at}/mtls/principals", "list at least one principal pattern, such as spiffe://cluster.local/ns/team/sa/*");
            }
        }

        ShadowedBearer(sources, sink);
    }

    // Sources run in order and the first that finds its credential decides: an API key read from the
    // Authorization header would take every bearer token for an unknown key, so no later JWT source
    // on that header could ever accept one.
    private static void ShadowedBearer(IReadOnlyList<IdentitySourceSpec> sources, ErrorSink sink)
    {
        var apiKeyOnAuthorization = -1;
        for (var i = 0; i < sources.Count; i++)
        {
            if (apiKeyOnAuthorization < 0 && string.Equals(sources[i].ApiKey?.Header, "authorization", StringComparison.OrdinalIgnoreCase))
            {
                apiKeyOnAuthorization = i;
            }
            else if (apiKeyOnAuthorization >= 0 && string.Equals(sources[i].Jwt?.Header, "authorization", StringComparison.OrdinalIgnoreCase))
            {
                sink.Add($"/spec/identity/{i}", $"this jwt source can never accept a token: identity source {apiKeyOnAuthorization} reads API keys from the same authorization header first; put the jwt source first or move the API key to x-api-key");
            }
        }
    }

    private static void ApiKey(ApiKeySourceSpec spec, string at, ErrorSink sink)
    {
        if (!HeaderRules.IsValidName(spec.Header) || spec.Header.StartsWith(':'))
        {
            sink.Add($"{at}/header", $"'{spec.Header}' is not a header name");
        }

        for (var k = 0; k < spec.Keys.Count; k++)
        {
            var hash = spec.Keys[k].Sha256;
            if (hash.Length != 64 || !hash.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                sink.Add($"{at}/keys/{k}/sha256", "write the key's SHA-256 as 64 lower-case hex digits (printf %s KEY | sha256sum); never the key itself");
            }
        }
    }

    private static void Jwt(JwtSourceSpec spec, string at, ErrorSink sink)
    {
        var jwks = spec.Jwks;
        var set = (jwks.Inline is null ? 0 : 1) + (jwks.File is null ? 0 : 1) + (jwks.Url is null ? 0 : 1);
        if (set != 1)
        {
            sink.Add($"{at}/jwks", "set exactly one of inline, file or url");
        }

        if (jwks.Url is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))))
        {
            sink.Add($"{at}/jwks/url", "the JWKS URL must be https (plain http is accepted only for loopback)");
        }

        if (jwks.Inline is { } inline && !LooksLikeJwks(inline))
        {
            sink.Add($"{at}/jwks/inline", "not a usable JWKS document: expected JSON with a non-empty \"keys\" array");
        }

        if (!Durations.TryParse(jwks.RefreshInterval, out _))
        {
            sink.Add($"{at}/jwks/refreshInterval", $"'{jwks.RefreshInterval}' is not a duration; {Durations.Expected}");
        }

        if (!Durations.TryParse(spec.ClockSkew, out var skew) || skew > TimeSpan.FromMinutes(10))
        {
            sink.Add($"{at}/clockSkew", $"'{spec.ClockSkew}' is not a duration up to 10m; {Durations.Expected}");
        }

        for (var a = 0; a < spec.Algorithms.Count; a++)
        {
            if (!Algorithms.Contains(spec.Algorithms[a]))
            {
                sink.Add($"{at}/algorithms/{a}", $"algorithm '{spec.Algorithms[a]}' is not accepted; use asymmetric ones: {string.Join(", ", Algorithms)}");
            }
        }

        if (string.IsNullOrWhiteSpace(spec.Issuer))
        {
            sink.Add($"{at}/issuer", "the issuer (iss) is required");
        }
    }

    private static bool LooksLikeJwks(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("keys", out var keys)
                && keys.ValueKind == JsonValueKind.Array
                && keys.GetArrayLength() > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

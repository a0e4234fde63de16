using EnvoyGovern.ExtAuthz.Decisions;

namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>The denials the policy step answers with.</summary>
internal static class Denials
{
    public static Decision Deny(int status, string reason, string message, IReadOnlyList<KeyValuePair<string, string>>? headers = null) => new()
    {
        Outcome = DecisionOutcome.Deny,
        Reason = reason,
        Message = message,
        HttpStatus = status,
        ResponseHeaders = headers ?? [],
    };

    /// <summary>401 with a challenge naming the credential kinds the policy accepts.</summary>
    public static Decision Unauthenticated(string reason, string message, string sourceKind) =>
        Deny(401, reason, message, [new("www-authenticate", Challenge(sourceKind, reason))]);

    private static string Challenge(string sourceKind, string reason) => sourceKind switch
    {
        "jwt" or "envoyJwt" => $"Bearer realm=\"envoy-govern\", error=\"invalid_token\", error_description=\"{reason}\"",
        "apiKey" => "ApiKey realm=\"envoy-govern\"",
        _ => "Bearer realm=\"envoy-govern\"",
    };

    /// <summary>401 for a request without credentials where the policy needs them.</summary>
    public static Decision CredentialsRequired(IReadOnlyList<CompiledDocument> documents)
    {
        var kinds = documents.SelectMany(d => d.Identity).Select(s => s.Kind).Distinct().ToArray();
        var challenge = kinds.Contains("jwt") || kinds.Contains("envoyJwt") ? "Bearer realm=\"envoy-govern\"" : "ApiKey realm=\"envoy-govern\"";
        return Deny(401, "authentication_required", "This API needs credentials: an API key or a bearer token.", [new("www-authenticate", challenge)]);
    }
}

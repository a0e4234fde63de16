using System.Text.Json;
using Envoy.Service.Auth.V3;

namespace EnvoyGovern.Cli.PolicyTesting;

/// <summary>
/// A CheckResponse as a test sees it: the decision, the HTTP status Envoy would answer with, the reason
/// and the headers (upstream headers when allowed, response headers when denied).
/// </summary>
internal sealed record ObservedDecision(string Decision, int Status, string Reason, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public static ObservedDecision From(CheckResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.DeniedResponse is { } denied)
        {
            var headers = denied.Headers.Select(h => new KeyValuePair<string, string>(h.Header.Key, h.Header.Value)).ToArray();
            return new ObservedDecision("deny", (int)denied.Status.Code, ReasonOf(denied.Body), headers);
        }

        var ok = response.OkResponse;
        var upstream = ok is null ? [] : ok.Headers.Select(h => new KeyValuePair<string, string>(h.Header.Key, h.Header.Value)).ToArray();
        var reason = response.DynamicMetadata?.Fields.TryGetValue("reason", out var value) == true ? value.StringValue : "allowed";
        return new ObservedDecision("allow", 200, reason, upstream);
    }

    /// <summary>The header's effective value: every option overwrites, so the last one counts.</summary>
    public string? Header(string name) =>
        Headers.LastOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    // The denial body is RFC 9457 problem+json; its `reason` is the stable code tests compare.
    private static string ReasonOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString()! : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}

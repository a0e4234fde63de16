using System.Text;

namespace EnvoyGovern.Governance.Audit.Recording;

/// <summary>
/// What never reaches an audit record in clear: credential and cookie headers (refused even when configured),
/// and the values of query parameters that carry secrets.
/// </summary>
public sealed class AuditRedaction
{
    /// <summary>The text that replaces a redacted value.</summary>
    public const string Redacted = "REDACTED";

    private static readonly HashSet<string> SecretHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key", "x-auth-token",
        "x-amz-security-token", "x-goog-api-key", "ocp-apim-subscription-key", "x-forwarded-client-cert",
    };

    private static readonly string[] SecretParameters =
    [
        "access_token", "api_key", "api-key", "apikey", "auth", "client_secret", "code", "id_token", "key", "password",
        "pwd", "refresh_token", "secret", "session", "sig", "signature", "token", "x-amz-credential", "x-amz-signature",
        "x-amz-security-token",
    ];

    private readonly HashSet<string> _parameters;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _parameterSpans;

    /// <summary>Creates the redaction with extra secret query parameters.</summary>
    public AuditRedaction(IEnumerable<string> extraParameters)
    {
        _parameters = new HashSet<string>(SecretParameters, StringComparer.OrdinalIgnoreCase);
        _parameters.UnionWith(extraParameters);
        _parameterSpans = _parameters.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The built-in secret parameters only.</summary>
    public static AuditRedaction Default { get; } = new([]);

    /// <summary>True for headers that carry credentials or cookies, whatever the configuration says.</summary>
    public static bool IsSecretHeader(string name) => SecretHeaders.Contains(name);

    /// <summary>
    /// The query string with the values of secret parameters replaced by <see cref="Redacted"/>; other
    /// parameters stay as sent. Null for no query.
    /// </summary>
    public string? RedactQuery(ReadOnlySpan<char> query)
    {
        if (query.IsEmpty)
        {
            return null;
        }

        StringBuilder? rebuilt = null;
        var start = 0;
        while (start <= query.Length)
        {
            var end = query[start..].IndexOf('&');
            end = end < 0 ? query.Length : start + end;
            var pair = query[start..end];
            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair[..equals];
            if (equals >= 0 && IsSecretParameter(name))
            {
                rebuilt ??= new StringBuilder(query.Length).Append(query[..start]);
                rebuilt.Append(name).Append('=').Append(Redacted);
            }
            else
            {
                rebuilt?.Append(pair);
            }

            if (end < query.Length)
            {
                rebuilt?.Append('&');
            }

            start = end + 1;
        }

        return rebuilt?.ToString() ?? query.ToString();
    }

    private bool IsSecretParameter(ReadOnlySpan<char> name)
    {
        // Percent-encoded names ("api%5Fkey") are decoded before the check, so encoding cannot smuggle a secret.
        if (!name.Contains('%') && !name.Contains('+'))
        {
            return _parameterSpans.Contains(name);
        }

        return _parameters.Contains(Uri.UnescapeDataString(name.ToString().Replace('+', ' ')).Trim());
    }
}

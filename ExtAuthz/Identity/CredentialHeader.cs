using EnvoyGovern.ExtAuthz.Decisions;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>Reads a credential from the header a source is configured with.</summary>
internal static class CredentialHeader
{
    private const string BearerPrefix = "Bearer ";

    /// <summary>
    /// Validates and lower-cases a configured header name; Envoy hands headers over lower-cased, so a
    /// name with upper case would otherwise never match.
    /// </summary>
    public static string Normalize(string? name, string path)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(c => c <= ' ' || c >= 0x7f || c == ':'))
        {
            throw new PolicyCompilationException(path, $"'{name}' is not a usable header name");
        }

        return name.ToLowerInvariant();
    }

    /// <summary>
    /// The credential, or null when there is none: for <c>authorization</c> the value after the
    /// <c>Bearer</c> scheme (any case, per RFC 7235), for any other header the raw value.
    /// Another scheme (Basic ...) is not this source's credential, so it also yields null.
    /// </summary>
    public static string? Read(CheckContext context, string lowerCaseName)
    {
        var value = context.GetHeader(lowerCaseName);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (lowerCaseName != "authorization")
        {
            return value.Trim();
        }

        var trimmed = value.AsSpan().Trim();
        if (!trimmed.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var credential = trimmed[BearerPrefix.Length..].Trim();
        return credential.IsEmpty ? null : credential.ToString();
    }
}

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
    /// The credential, or false when there is none: for <c>authorization</c> the value after the
    /// <c>Bearer</c> scheme (any case, per RFC 7235), for any other header the raw value, trimmed.
    /// Another scheme (Basic ...) is not this source's credential, so it also yields false. The span
    /// points into the header value: reading a credential copies nothing.
    /// </summary>
    public static bool TryRead(CheckContext context, string lowerCaseName, out ReadOnlySpan<char> credential)
    {
        credential = context.GetHeader(lowerCaseName).AsSpan().Trim();
        if (lowerCaseName == "authorization")
        {
            credential = credential.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
                ? credential[BearerPrefix.Length..].Trim()
                : default;
        }

        return !credential.IsEmpty;
    }
}

namespace EnvoyGovern.Conformance.Headers;

/// <summary>
/// Header name and value checks as Envoy's <c>HeaderUtility::headerNameIsValid</c>,
/// <c>headerValueIsValid</c> and <c>isRemovableHeader</c> apply them.
/// </summary>
public static class HeaderRules
{
    private const string TokenSymbols = "!#$%&'*+-.^_`|~";

    /// <summary>An RFC 7230 token, or <c>:</c> followed by one (a pseudo-header).</summary>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        var token = name[0] == ':' ? name.AsSpan(1) : name.AsSpan();
        if (token.IsEmpty)
        {
            return false;
        }

        foreach (var c in token)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !TokenSymbols.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Envoy rejects only NUL, CR and LF in values (they would split or truncate the header block).</summary>
    public static bool IsValidValue(ReadOnlySpan<char> value) => value.IndexOfAny('\0', '\r', '\n') < 0;

    /// <inheritdoc cref="IsValidValue(ReadOnlySpan{char})"/>
    public static bool IsValidValue(ReadOnlySpan<byte> value) => value.IndexOfAny((byte)0, (byte)'\r', (byte)'\n') < 0;

    /// <summary>True for <c>:</c>-prefixed names.</summary>
    public static bool IsPseudo(string name) => name.StartsWith(':');

    /// <summary>Envoy never removes pseudo-headers or <c>host</c>: the request would be malformed.</summary>
    public static bool IsRemovable(string name) =>
        !IsPseudo(name) && !string.Equals(name, "host", StringComparison.OrdinalIgnoreCase);

    /// <summary>Headers that pick the route; ext_proc ignores changes to them unless <c>allow_all_routing</c>.</summary>
    public static bool IsRoutingHeader(string lowerName) =>
        lowerName is "host" or ":authority" or ":method" or ":scheme";

    /// <summary>Envoy's own <c>x-envoy-</c> headers; ext_proc ignores changes unless <c>allow_envoy</c>.</summary>
    public static bool IsEnvoyHeader(string lowerName) => lowerName.StartsWith("x-envoy-", StringComparison.Ordinal);
}

namespace EnvoyGovern.Governance.Envoy;

/// <summary>What Envoy accepts as a header name and value in a mutation (RFC 9110 tokens; no CR, LF or NUL).</summary>
public static class HeaderRules
{
    /// <summary>True for a lower-case-insensitive RFC 9110 token, or a pseudo-header name.</summary>
    public static bool IsValidName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return false;
        }

        var start = name[0] == ':' ? 1 : 0;
        if (start == name.Length)
        {
            return false;
        }

        foreach (var c in name[start..])
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the value has no CR, LF or NUL, which Envoy rejects.</summary>
    public static bool IsValidValue(ReadOnlySpan<char> value) => value.IndexOfAny('\r', '\n', '\0') < 0;

    /// <summary>Byte form of <see cref="IsValidValue(ReadOnlySpan{char})"/> for <c>raw_value</c>.</summary>
    public static bool IsValidValue(ReadOnlySpan<byte> value) => value.IndexOfAny((byte)'\r', (byte)'\n', (byte)0) < 0;

    private static bool IsTokenChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}

namespace EnvoyGovern.Governance.Policy;

/// <summary>
/// <c>*</c> patterns for hosts and paths, matched in linear time without regular expressions, so a
/// policy pattern can never make a Check slow. Shared by ExtAuthz and ExtProc, which select policy
/// documents by host the same way.
/// </summary>
public sealed class Glob
{
    private readonly string[] _parts;
    private readonly bool _exact;

    /// <summary>Compiles a pattern.</summary>
    public Glob(string pattern, bool ignoreCase)
    {
        Pattern = pattern;
        _parts = pattern.Split('*');
        _exact = _parts.Length == 1;
        Comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
    }

    /// <summary>The pattern as written.</summary>
    public string Pattern { get; }

    private StringComparison Comparison { get; }

    /// <summary>True when any of <paramref name="globs"/> matches the whole value (a loop: no closure per call).</summary>
    public static bool AnyMatch(Glob[] globs, ReadOnlySpan<char> value)
    {
        ArgumentNullException.ThrowIfNull(globs);
        foreach (var glob in globs)
        {
            if (glob.IsMatch(value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the whole value matches.</summary>
    public bool IsMatch(ReadOnlySpan<char> value)
    {
        if (_exact)
        {
            return value.Equals(_parts[0], Comparison);
        }

        // First part anchors the start, last part the end; the middle parts are found left to right,
        // which is correct for '*' (any run) and never backtracks.
        var first = _parts[0];
        var last = _parts[^1];
        if (value.Length < first.Length + last.Length || !value.StartsWith(first, Comparison) || !value.EndsWith(last, Comparison))
        {
            return false;
        }

        var middle = value[first.Length..^last.Length];
        for (var i = 1; i < _parts.Length - 1; i++)
        {
            var index = middle.IndexOf(_parts[i], Comparison);
            if (index < 0)
            {
                return false;
            }

            middle = middle[(index + _parts[i].Length)..];
        }

        return true;
    }
}

/// <summary>The host part of an HTTP authority, as policy host patterns match it.</summary>
public static class Authority
{
    /// <summary><c>[::1]:8443</c> and <c>api.example.com:443</c> give the host without port, lower-case.</summary>
    public static string Host(string authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        var end = authority.StartsWith('[') ? authority.IndexOf(']', StringComparison.Ordinal) + 1 : authority.LastIndexOf(':');
        var host = end > 0 && end < authority.Length && authority[end..].StartsWith(':') ? authority[..end] : authority;
        return host.ToLowerInvariant();
    }
}

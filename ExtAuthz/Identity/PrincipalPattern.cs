namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>
/// A principal pattern where <c>*</c> stands for one or more characters within a single <c>/</c>
/// segment, so <c>spiffe://td/ns/a/sa/*</c> admits every service account of namespace <c>a</c> and
/// nothing deeper. Written by hand rather than as a regex: no escaping mistakes, no backtracking blow-up,
/// and the comparison is ordinal (SPIFFE IDs are case-sensitive).
/// </summary>
internal sealed class PrincipalPattern
{
    private readonly string[] _segments;

    private PrincipalPattern(string pattern)
    {
        Pattern = pattern;
        _segments = pattern.Split('/');
    }

    public string Pattern { get; }

    /// <summary>Checks the pattern; throws for forms that would not mean what they seem to.</summary>
    public static PrincipalPattern Create(string? pattern, string path)
    {
        if (string.IsNullOrWhiteSpace(pattern) || pattern.Any(char.IsWhiteSpace))
        {
            throw new PolicyCompilationException(path, "a principal pattern must be non-empty and contain no whitespace");
        }

        if (pattern.Contains("**", StringComparison.Ordinal))
        {
            throw new PolicyCompilationException(path, "'**' is not supported: '*' matches within one path segment; list deeper principals explicitly");
        }

        return new PrincipalPattern(pattern);
    }

    public bool IsMatch(string principal)
    {
        // Segment by segment, so '*' can never reach across a '/'.
        var rest = principal.AsSpan();
        for (var i = 0; i < _segments.Length; i++)
        {
            var slash = rest.IndexOf('/');
            var segment = slash < 0 ? rest : rest[..slash];
            if (!SegmentMatches(_segments[i], segment))
            {
                return false;
            }

            var last = i == _segments.Length - 1;
            if (last != (slash < 0))
            {
                return false;
            }

            rest = last ? [] : rest[(slash + 1)..];
        }

        return true;
    }

    private static bool SegmentMatches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        var star = pattern.IndexOf('*');
        if (star < 0)
        {
            return pattern.SequenceEqual(text);
        }

        // Literal prefix, then each '*' takes one or more characters before the next literal run.
        if (!text.StartsWith(pattern[..star]))
        {
            return false;
        }

        return StarMatches(pattern[(star + 1)..], text[star..]);
    }

    private static bool StarMatches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        var next = pattern.IndexOf('*');
        var literal = next < 0 ? pattern : pattern[..next];
        for (var taken = 1; taken <= text.Length - literal.Length; taken++)
        {
            var after = text[taken..];
            if (!after.StartsWith(literal))
            {
                continue;
            }

            if (next < 0 ? after.Length == literal.Length : StarMatches(pattern[(next + 1)..], after[literal.Length..]))
            {
                return true;
            }
        }

        return false;
    }
}

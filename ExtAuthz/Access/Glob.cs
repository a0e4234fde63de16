namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>
/// <c>*</c> patterns for hosts and paths, matched in linear time without regular expressions, so a
/// policy pattern can never make a Check slow.
/// </summary>
internal sealed class Glob
{
    private readonly string[] _parts;
    private readonly bool _exact;

    public Glob(string pattern, bool ignoreCase)
    {
        Pattern = pattern;
        _parts = pattern.Split('*');
        _exact = _parts.Length == 1;
        Comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
    }

    public string Pattern { get; }

    private StringComparison Comparison { get; }

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

using System.Globalization;

namespace EnvoyGovern.Governance.Policy;

/// <summary>Parses policy durations: a number with a unit, <c>ms</c>, <c>s</c>, <c>m</c> or <c>h</c> (<c>250ms</c>, <c>60s</c>, <c>10m</c>).</summary>
public static class Durations
{
    /// <summary>Parses <paramref name="text"/>; false for anything else, including negative values.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        var (unit, scale) = span.EndsWith("ms", StringComparison.Ordinal) ? (2, 1.0)
            : span.EndsWith('s') ? (1, 1000.0)
            : span.EndsWith('m') ? (1, 60_000.0)
            : span.EndsWith('h') ? (1, 3_600_000.0)
            : (0, 0.0);
        if (unit == 0
            || !double.TryParse(span[..^unit], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
            || double.IsInfinity(amount * scale)
            || amount * scale > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(amount * scale);
        return true;
    }
}

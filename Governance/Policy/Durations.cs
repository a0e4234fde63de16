using System.Globalization;

namespace EnvoyGovern.Governance.Policy;

/// <summary>
/// Parses policy durations: a whole non-negative number and one unit, <c>ms</c>, <c>s</c>, <c>m</c> or
/// <c>h</c> (<c>250ms</c>, <c>60s</c>, <c>10m</c>). Strict on purpose: <c>TimeSpan.Parse</c> would read
/// <c>60</c> as sixty days, the kind of surprise a security setting must not have.
/// </summary>
public static class Durations
{
    /// <summary>What is accepted, for error messages.</summary>
    public const string Expected = "write a whole number and a unit: ms, s, m or h (such as 60s)";

    /// <summary>Parses <paramref name="text"/>; false for anything else.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (digits == 0 || !long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        var millisecondsPerUnit = text[digits..] switch
        {
            "ms" => 1L,
            "s" => 1_000L,
            "m" => 60_000L,
            "h" => 3_600_000L,
            _ => 0L,
        };
        if (millisecondsPerUnit == 0 || amount > TimeSpan.MaxValue.TotalMilliseconds / millisecondsPerUnit / 2)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(amount * millisecondsPerUnit);
        return true;
    }
}

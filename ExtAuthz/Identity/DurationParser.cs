using System.Globalization;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>
/// Parses the policy's short durations (<c>500ms</c>, <c>60s</c>, <c>10m</c>, <c>1h</c>): a whole
/// non-negative number and one unit. Kept strict on purpose: <c>TimeSpan.Parse</c> would accept
/// <c>60</c> as sixty days, which is the kind of surprise a security setting must not have.
/// </summary>
internal static class DurationParser
{
    /// <summary>Returns the duration, or false with a message that says what is accepted.</summary>
    public static bool TryParse(string? text, out TimeSpan duration, out string error)
    {
        duration = TimeSpan.Zero;
        error = $"'{text}' is not a duration; write a whole number and a unit: ms, s, m or h (such as 60s)";
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (digits == 0 || !long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
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
        if (millisecondsPerUnit == 0 || value > TimeSpan.MaxValue.TotalMilliseconds / millisecondsPerUnit / 2)
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(value * millisecondsPerUnit);
        error = string.Empty;
        return true;
    }

    /// <summary>Parses, or throws <see cref="PolicyCompilationException"/> for <paramref name="path"/>.</summary>
    public static TimeSpan Parse(string? text, string path, TimeSpan min, TimeSpan max)
    {
        if (!TryParse(text, out var duration, out var error))
        {
            throw new PolicyCompilationException(path, error);
        }

        if (duration < min || duration > max)
        {
            throw new PolicyCompilationException(path, $"{text} is out of range; use between {min} and {max}");
        }

        return duration;
    }
}

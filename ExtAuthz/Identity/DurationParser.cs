using EnvoyGovern.Governance.Policy;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>Policy durations (see <see cref="Durations"/>) with the errors identity compilation reports.</summary>
internal static class DurationParser
{
    /// <summary>Returns the duration, or false with a message that says what is accepted.</summary>
    public static bool TryParse(string? text, out TimeSpan duration, out string error)
    {
        var parsed = Durations.TryParse(text, out duration);
        error = parsed ? string.Empty : $"'{text}' is not a duration; {Durations.Expected}";
        return parsed;
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

using System.Globalization;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>A daily window in a time zone; a window whose end is before its start spans midnight.</summary>
internal sealed class CompiledTimeWindow
{
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private readonly TimeOnly _after;
    private readonly TimeOnly _before;
    private readonly TimeZoneInfo _zone;
    private readonly bool[]? _days;

    public CompiledTimeWindow(TimeWindowSpec spec)
    {
        // The loader validated these; the compiler reports any exception here as a policy error.
        _after = TimeOnly.ParseExact(spec.After, "HH:mm", CultureInfo.InvariantCulture);
        _before = TimeOnly.ParseExact(spec.Before, "HH:mm", CultureInfo.InvariantCulture);
        _zone = TimeZoneInfo.FindSystemTimeZoneById(spec.TimeZone);
        _days = spec.Days.Count == 0 ? null : [.. DayNames.Select(spec.Days.Contains)];
    }

    public bool Contains(DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, _zone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        var inWindow = _after <= _before ? time >= _after && time < _before : time >= _after || time < _before;
        if (!inWindow)
        {
            return false;
        }

        if (_days is null)
        {
            return true;
        }

        // After midnight in a window that spans it, the window began the day before.
        var day = _after > _before && time < _before ? local.AddDays(-1).DayOfWeek : local.DayOfWeek;
        return _days[(int)day];
    }
}

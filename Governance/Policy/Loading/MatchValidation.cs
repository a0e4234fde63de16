using System.Globalization;
using System.Net;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.Governance.Policy.Loading;

/// <summary>Checks of the values inside a <see cref="MatchSpec"/> and of the small value types it uses.</summary>
internal static class MatchValidation
{
    private static readonly HashSet<string> DayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    public static void Check(MatchSpec match, string at, ErrorSink sink)
    {
        Cidrs(match.SourceCidrs, $"{at}/sourceCidrs", sink);
        NonEmpty(match.Tenants, $"{at}/tenants", sink);
        NonEmpty(match.Groups, $"{at}/groups", sink);
        NonEmpty(match.Subjects, $"{at}/subjects", sink);
        NonEmpty(match.Regions, $"{at}/regions", sink);
        NonEmpty(match.NotRegions, $"{at}/notRegions", sink);
        NonEmpty(match.Models, $"{at}/models", sink);
        NonEmpty(match.ModelVersions, $"{at}/modelVersions", sink);
        NonEmpty(match.Hosts, $"{at}/hosts", sink);
        for (var i = 0; i < match.Methods.Count; i++)
        {
            var method = match.Methods[i];
            if (method.Length == 0 || !method.All(c => c is >= 'A' and <= 'Z'))
            {
                sink.Add($"{at}/methods/{i}", $"'{method}' is not an HTTP method; write it in upper case, such as POST");
            }
        }

        for (var i = 0; i < match.Paths.Count; i++)
        {
            if (!match.Paths[i].StartsWith('/'))
            {
                sink.Add($"{at}/paths/{i}", $"path pattern '{match.Paths[i]}' must start with '/' (use '*' for any run of characters)");
            }
        }

        if (match.Time is { } time)
        {
            TimeWindow(time, $"{at}/time", sink);
        }
    }

    public static void Cidrs(IReadOnlyList<string> cidrs, string at, ErrorSink sink)
    {
        for (var i = 0; i < cidrs.Count; i++)
        {
            // .NET normalises 10.0.0.1/8 to 10.0.0.0/8; an author who wrote a host address meant something else.
            if (!IsCanonicalCidr(cidrs[i]))
            {
                sink.Add($"{at}/{i}", $"'{cidrs[i]}' is not a CIDR range; write it like 10.0.0.0/8 or 2001:db8::/32 (host bits must be zero)");
            }
        }
    }

    private static bool IsCanonicalCidr(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash > 0
            && IPNetwork.TryParse(text, out var network)
            && IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            && network.BaseAddress.Equals(address);
    }

    public static void NonEmpty(IReadOnlyList<string> values, string at, ErrorSink sink)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(values[i]))
            {
                sink.Add($"{at}/{i}", "an empty value matches nothing; remove it or fill it in");
            }
        }
    }

    public static bool TryParseClock(string text, out TimeOnly value) =>
        TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    private static void TimeWindow(TimeWindowSpec time, string at, ErrorSink sink)
    {
        if (!TryParseClock(time.After, out _))
        {
            sink.Add($"{at}/after", $"'{time.After}' is not a time of day; write HH:mm, such as 08:00");
        }

        if (!TryParseClock(time.Before, out _))
        {
            sink.Add($"{at}/before", $"'{time.Before}' is not a time of day; write HH:mm, such as 18:00");
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(time.TimeZone, out _))
        {
            sink.Add($"{at}/timeZone", $"unknown time zone '{time.TimeZone}'; use an IANA name such as Europe/Berlin or UTC");
        }

        for (var i = 0; i < time.Days.Count; i++)
        {
            if (!DayNames.Contains(time.Days[i]))
            {
                sink.Add($"{at}/days/{i}", $"'{time.Days[i]}' is not a day; use mon, tue, wed, thu, fri, sat or sun");
            }
        }
    }
}

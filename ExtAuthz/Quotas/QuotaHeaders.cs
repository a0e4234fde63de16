using System.Globalization;

namespace EnvoyGovern.ExtAuthz.Quotas;

/// <summary>
/// Response headers that tell a client about its quota: the RateLimit fields of
/// draft-ietf-httpapi-ratelimit-headers (<c>ratelimit-limit</c>, <c>ratelimit-remaining</c>,
/// <c>ratelimit-reset</c>) on any answer, and <c>retry-after</c> on a 429.
/// </summary>
public static class QuotaHeaders
{
    /// <summary><c>retry-after</c> (RFC 9110): whole seconds until a request may succeed.</summary>
    public const string RetryAfter = "retry-after";

    /// <summary><c>ratelimit-limit</c>: the bucket size (burst).</summary>
    public const string Limit = "ratelimit-limit";

    /// <summary><c>ratelimit-remaining</c>: whole requests left now.</summary>
    public const string Remaining = "ratelimit-remaining";

    /// <summary><c>ratelimit-reset</c>: seconds until the bucket is full again.</summary>
    public const string Reset = "ratelimit-reset";

    /// <summary>
    /// The headers for <paramref name="result"/>: the three RateLimit fields always, and
    /// <c>retry-after</c> when the request was denied (for the 429). Lower-case names, as HTTP/2 needs.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> For(QuotaResult result)
    {
        var limit = new KeyValuePair<string, string>(Limit, result.Limit.ToString(CultureInfo.InvariantCulture));
        var remaining = new KeyValuePair<string, string>(Remaining, Math.Max(0, result.Remaining).ToString(CultureInfo.InvariantCulture));
        var reset = new KeyValuePair<string, string>(Reset, Seconds(result.ResetAfter, minimum: 0));
        return result.Allowed
            ? [limit, remaining, reset]
            : [new(RetryAfter, Seconds(result.RetryAfter, minimum: 1)), limit, remaining, reset];
    }

    /// <summary>Whole seconds, rounded up, never below <paramref name="minimum"/>.</summary>
    internal static string Seconds(TimeSpan duration, long minimum)
    {
        var ticks = Math.Max(0, duration.Ticks);
        var seconds = (ticks / TimeSpan.TicksPerSecond) + (ticks % TimeSpan.TicksPerSecond == 0 ? 0 : 1);
        return Math.Max(minimum, seconds).ToString(CultureInfo.InvariantCulture);
    }
}

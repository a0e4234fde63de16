namespace EnvoyGovern.ExtAuthz.Quotas;

/// <summary>
/// The token-bucket arithmetic both stores share: the in-memory store runs it in process, the Redis
/// store runs the same steps in Lua and turns the token count it returns into a result here.
/// </summary>
internal static class TokenBucketMath
{
    /// <summary>
    /// Slack for floating-point refill: a caller that waits exactly <see cref="QuotaResult.RetryAfter"/>
    /// (rounded up to a tick) must find a whole token, even when elapsed × rate comes out a hair short of 1.
    /// </summary>
    internal const double Epsilon = 1e-11;

    /// <summary>Throws when a rate cannot drive a bucket (no refill, no capacity, NaN or infinity).</summary>
    internal static void Validate(string key, QuotaRate rate)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!double.IsFinite(rate.TokensPerSecond) || rate.TokensPerSecond <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate.TokensPerSecond, "TokensPerSecond must be a positive finite number.");
        }

        if (rate.Burst < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate.Burst, "Burst must be at least 1.");
        }
    }

    /// <summary>Tokens after <paramref name="elapsedSeconds"/> of refill, capped at the burst.</summary>
    internal static double Refill(double tokens, double elapsedSeconds, QuotaRate rate) =>
        elapsedSeconds <= 0 ? Math.Min(tokens, rate.Burst) : Math.Min(rate.Burst, tokens + (elapsedSeconds * rate.TokensPerSecond));

    /// <summary>Takes a token if one is there; returns whether it did, and the tokens left.</summary>
    internal static bool TryTake(ref double tokens)
    {
        if (tokens >= 1 - Epsilon)
        {
            tokens = Math.Max(0, tokens - 1);
            return true;
        }

        return false;
    }

    /// <summary>The answer for a bucket that holds <paramref name="tokens"/> after the request.</summary>
    internal static QuotaResult Result(bool allowed, double tokens, QuotaRate rate)
    {
        tokens = Math.Clamp(tokens, 0, rate.Burst);
        var remaining = (int)Math.Floor(tokens + Epsilon);
        var retryAfter = allowed ? TimeSpan.Zero : Duration(1 - tokens, rate);
        var resetAfter = Duration(rate.Burst - tokens, rate);
        return new QuotaResult(allowed, rate.Burst, Math.Min(remaining, rate.Burst), retryAfter, resetAfter);
    }

    /// <summary>Time for <paramref name="missing"/> tokens to drip in, rounded up to a whole tick.</summary>
    internal static TimeSpan Duration(double missing, QuotaRate rate)
    {
        if (missing <= Epsilon)
        {
            return TimeSpan.Zero;
        }

        // Up to a whole tick, ignoring float noise far below one (2 s must not come out as 2 s + 1 tick).
        var ticks = Math.Ceiling((missing / rate.TokensPerSecond * TimeSpan.TicksPerSecond) - 1e-6);
        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)ticks);
    }
}

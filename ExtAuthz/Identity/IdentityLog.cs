namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>Log events of the identity sources; never carries a credential.</summary>
internal static partial class IdentityLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Fetched JWKS {Url}: {KeyCount} signing keys")]
    public static partial void JwksFetched(ILogger logger, string url, int keyCount);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Fetching JWKS {Url} failed (keeping previous keys: {HaveKeys}): {ErrorType}: {Error}")]
    public static partial void JwksFetchFailed(ILogger logger, string url, bool haveKeys, string errorType, string error);
}

namespace EnvoyGovern.ExtProc.Waf.Inspection;

// Event ids 2100-2199: the WAF in ExtProc.
internal static partial class WafLog
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "WAF rules loaded from {Source}: {Rules} rules in {Milliseconds} ms")]
    public static partial void RulesLoaded(ILogger logger, string source, int rules, long milliseconds);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "WAF rules from {Source} could not be loaded; the previous rules stay active")]
    public static partial void RulesRejected(ILogger logger, string source, Exception exception);

    // Debug: per exchange, and the audit record carries the block with its rules (see 2003).
    [LoggerMessage(EventId = 2102, Level = LogLevel.Debug, Message = "WAF blocked exchange {ExchangeId} ({Reason}, status {Status})")]
    public static partial void Blocked(ILogger logger, string exchangeId, string reason, int status);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "WAF evaluation of exchange {ExchangeId} hit its limit: {Detail}")]
    public static partial void LimitExceeded(ILogger logger, string exchangeId, string detail);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Debug, Message = "WAF regexes compiled: {Count} in {Milliseconds} ms")]
    public static partial void RegexesCompiled(ILogger logger, int count, long milliseconds);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "No Policy:Directory is configured: the WAF inspects nothing")]
    public static partial void NoPolicy(ILogger logger);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Debug, Message = "WAF rules warmed up with ordinary exchanges in {Milliseconds} ms")]
    public static partial void WarmedUp(ILogger logger, long milliseconds);

    [LoggerMessage(EventId = 2108, Level = LogLevel.Debug, Message = "WAF rules warmed up again after their regexes were compiled, in {Milliseconds} ms")]
    public static partial void WarmedUpCompiled(ILogger logger, long milliseconds);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Warning, Message = "WAF warm-up exchange failed; the rules serve cold")]
    public static partial void WarmUpFailed(ILogger logger, Exception exception);
}

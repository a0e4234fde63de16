namespace EnvoyGovern.ExtAuthz.Authorization;

/// <summary>Log events of the Authorization service; ids are stable for alerting.</summary>
internal static partial class AuthorizationLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Check {DecisionId} allowed {Method} {Host}")]
    public static partial void Allowed(ILogger logger, string decisionId, string method, string host);

    // Debug, like 1001: a per-call event, whose audit record already carries the reason, rule and status. At
    // Information every denial (a 429 flood, a scan) would write a line to stderr on the request path.
    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Check {DecisionId} denied ({Reason}) by {Step} with HTTP {Status}")]
    public static partial void Denied(ILogger logger, string decisionId, string reason, string? step, int status);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Check rejected as malformed: {Problem}")]
    public static partial void Malformed(ILogger logger, string problem);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Check {DecisionId} failed internally; answered INTERNAL so that Envoy fails closed")]
    public static partial void InternalFailure(ILogger logger, string decisionId, Exception exception);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Check {DecisionId} could not be decided, a dependency is unavailable: {Reason}")]
    public static partial void DependencyUnavailable(ILogger logger, string decisionId, string reason);
}

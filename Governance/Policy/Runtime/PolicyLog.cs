using Microsoft.Extensions.Logging;

namespace EnvoyGovern.Governance.Policy.Runtime;

/// <summary>Policy lifecycle events; ids are stable for alerting.</summary>
internal static partial class PolicyLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Policy {Version} active ({Documents} documents from {Directory}); previous {Previous}")]
    public static partial void Applied(ILogger logger, string version, int documents, string directory, string previous);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Policy from {Directory} rejected with {Count} error(s); {Active} stays active. First: {First}")]
    public static partial void Rejected(ILogger logger, string directory, int count, string active, string first);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Policy error: {Error}")]
    public static partial void Error(ILogger logger, string error);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "Reading the policy directory {Directory} failed; the active policy stays")]
    public static partial void ReadFailed(ILogger logger, string directory, Exception exception);
}

namespace EnvoyGovern.ExtAuthz.Canary;

/// <summary>Canary log events (ExtAuthz range 1201-1219).</summary>
internal static partial class CanaryLog
{
    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Canary {Model}/{Canary} halted ({Reason}): {Detail}; its traffic goes to stable until the canary's policy changes or an operator resumes it")]
    public static partial void Halted(ILogger logger, string model, string canary, string reason, string detail);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Canary {Model}/{Canary} resumed")]
    public static partial void Resumed(ILogger logger, string model, string canary);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Canary guardrails could not be evaluated: {ErrorType}: {Error}")]
    public static partial void EvaluationFailed(ILogger logger, string errorType, string error);
}

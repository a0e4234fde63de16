namespace EnvoyGovern.ExtProc.Processing;

/// <summary>Log events of the ExternalProcessor service; ids are stable for alerting.</summary>
internal static partial class ExtProcLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Exchange {ExchangeId}: ext_proc protocol violation: {Problem}")]
    public static partial void ProtocolViolation(ILogger logger, string exchangeId, string problem);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Exchange {ExchangeId} failed internally; answered INTERNAL so that Envoy fails closed")]
    public static partial void InternalFailure(ILogger logger, string exchangeId, Exception exception);

    // Debug: a per-exchange event, in the exchange's audit record too; at Information a flood of rejections would
    // write a line to stderr per exchange on the request path.
    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug, Message = "Exchange {ExchangeId} ended with an immediate response")]
    public static partial void ImmediateResponse(ILogger logger, string exchangeId);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Exchange {ExchangeId} could not be inspected, a dependency is unavailable: {Reason}")]
    public static partial void DependencyUnavailable(ILogger logger, string exchangeId, string reason);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Debug, Message = "Exchange {ExchangeId}: Envoy ended the stream before processing finished")]
    public static partial void StreamReset(ILogger logger, string exchangeId);
}

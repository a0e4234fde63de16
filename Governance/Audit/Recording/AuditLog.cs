using Microsoft.Extensions.Logging;

namespace EnvoyGovern.Governance.Audit.Recording;

/// <summary>
/// Log events of audit record production. Ids 3080-3099: the audit range is 3000-3099, and policy already
/// uses 3001-3004, so record production takes the top of the range.
/// </summary>
internal static partial class AuditLog
{
    [LoggerMessage(EventId = 3080, Level = LogLevel.Warning, Message = "Audit checkpoints are off: no Audit:Checkpoint:KeyFile. Records of stream {Stream} are hash-chained but not signed")]
    public static partial void CheckpointsOff(ILogger logger, string stream);

    [LoggerMessage(EventId = 3081, Level = LogLevel.Information, Message = "Audit stream {Stream} started (checkpoint key {KeyId}, every {Every} records or {Interval})")]
    public static partial void StreamStarted(ILogger logger, string stream, string keyId, int every, TimeSpan interval);

    [LoggerMessage(EventId = 3082, Level = LogLevel.Error, Message = "Audit record {EventId} of stream {Stream} was not accepted within {Budget}; the request fails closed")]
    public static partial void Unavailable(ILogger logger, string eventId, string stream, TimeSpan budget);

    [LoggerMessage(EventId = 3083, Level = LogLevel.Error, Message = "Audit record {EventId} of stream {Stream} was dropped by the pipeline's overflow policy")]
    public static partial void Dropped(ILogger logger, string eventId, string stream);

    [LoggerMessage(EventId = 3084, Level = LogLevel.Error, Message = "Writing audit records to stdout failed")]
    public static partial void StdoutFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3085, Level = LogLevel.Error, Message = "The policy change record ({Action}) could not be written")]
    public static partial void PolicyRecordFailed(ILogger logger, string action, Exception exception);

    [LoggerMessage(EventId = 3086, Level = LogLevel.Error, Message = "Writing an audit checkpoint for stream {Stream} failed")]
    public static partial void CheckpointFailed(ILogger logger, string stream, Exception exception);
}

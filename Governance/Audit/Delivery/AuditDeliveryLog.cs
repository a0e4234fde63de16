using Microsoft.Extensions.Logging;

namespace EnvoyGovern.Governance.Audit.Delivery;

/// <summary>Audit delivery events. Event ids 3100-3199 belong to audit delivery (queue, sinks, dead letters).</summary>
internal static partial class AuditDeliveryLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Audit delivery to {Sink} through the queue in {Directory}: {Queued} bytes queued from before start")]
    public static partial void Started(ILogger logger, string sink, string directory, long queued);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Audit record {EventId} of stream {Stream} dropped: {Reason}")]
    public static partial void Dropped(ILogger logger, string eventId, string stream, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "Audit record {EventId} not accepted within {Budget}: {Reason}; the decision fails closed")]
    public static partial void Unavailable(ILogger logger, string eventId, TimeSpan budget, string reason, Exception? exception);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Audit sink {Sink} failed a batch of {Count} (attempt {Attempt}); retrying in {Delay}")]
    public static partial void BatchFailed(ILogger logger, string sink, int count, int attempt, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Error, Message = "Audit record {EventId} refused by {Sink} and dead-lettered: {Reason}")]
    public static partial void DeadLettered(ILogger logger, string eventId, string sink, string reason);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Error, Message = "Audit queue damage: {Detail}")]
    public static partial void Corrupt(ILogger logger, string detail);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Information, Message = "Audit sink {Sink} recovered after {Attempts} failed attempts")]
    public static partial void Recovered(ILogger logger, string sink, int attempts);

    [LoggerMessage(EventId = 3108, Level = LogLevel.Error, Message = "Audit dead-letter file could not be written; retrying")]
    public static partial void DeadLetterFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3109, Level = LogLevel.Information, Message = "Elasticsearch index template {Name} installed")]
    public static partial void TemplateInstalled(ILogger logger, string name);
}

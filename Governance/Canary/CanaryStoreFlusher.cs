using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prometheus;

namespace EnvoyGovern.Governance.Canary;

/// <summary>
/// With the Redis store: writes counted outcomes every <see cref="CanaryOptions.RedisOptions.FlushInterval"/>
/// and once more when the host stops, so a rolling restart keeps what it counted.
/// </summary>
internal sealed partial class CanaryStoreFlusher(ICanaryStore store, IOptions<CanaryOptions> options, TimeProvider time, ILogger<CanaryStoreFlusher> logger) : BackgroundService
{
    private static readonly Counter Dropped = Metrics.CreateCounter(
        "envoygovern_canary_outcomes_dropped_total", "Canary outcomes not written to the shared store (it was unavailable, or too many series waited).");

    private long _droppedSeen;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (store is RedisCanaryStore redis)
        {
            await FlushAsync(redis, cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is not RedisCanaryStore redis)
        {
            return;
        }

        redis.StartConnecting();
        using var timer = new PeriodicTimer(options.Value.Redis.FlushInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await FlushAsync(redis, stoppingToken);
        }
    }

    private async Task FlushAsync(RedisCanaryStore redis, CancellationToken cancellationToken)
    {
        try
        {
            await redis.FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The message names the store and the failure kind, never the configuration.
            FlushFailed(logger, ex.Message);
        }
        finally
        {
            var dropped = redis.Dropped;
            Dropped.Inc(dropped - _droppedSeen);
            _droppedSeen = dropped;
        }
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Canary outcomes could not be written to the shared store; they are dropped: {Error}")]
    private static partial void FlushFailed(ILogger logger, string error);
}

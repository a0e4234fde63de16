using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.Audit.Recording;

/// <summary>
/// Writes a signed checkpoint every <c>Audit:Checkpoint:Interval</c> while records flow, and a last one at
/// shutdown, so that the tail of a quiet or stopping stream is signed too.
/// </summary>
internal sealed class AuditCheckpointService(
    AuditRecorder recorder,
    IOptions<AuditRecordingOptions> options,
    TimeProvider time,
    ILogger<AuditCheckpointService> logger) : BackgroundService
{
    private PeriodicTimer? _timer;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Started here, not in ExecuteAsync (which runs later, on another thread): the first interval counts
        // from the service's start.
        if (recorder.SignsCheckpoints)
        {
            _timer = new PeriodicTimer(options.Value.Checkpoint.Interval, time);
        }

        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_timer is not { } timer)
        {
            return;
        }

        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await CheckpointAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: StopAsync writes the last checkpoint.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await CheckpointAsync(cancellationToken);
    }

    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        try
        {
            await recorder.CheckpointAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is AuditUnavailableException or OperationCanceledException or IOException)
        {
            AuditLog.CheckpointFailed(logger, recorder.Stream, ex);
        }
    }
}

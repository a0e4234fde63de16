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
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!recorder.SignsCheckpoints)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.Checkpoint.Interval, time);
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

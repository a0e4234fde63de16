using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.Hosting;

/// <summary>
/// On shutdown, keeps serving for <see cref="HostingOptions.DrainDelay"/> while health already says
/// NOT_SERVING, so that Envoy's health checks and Kubernetes endpoints stop routing to this replica
/// before its listeners close. The wait runs in <see cref="StoppingAsync"/>, which the host calls
/// before it stops any hosted service, the web server included.
/// </summary>
internal sealed class DrainDelay(IOptions<HostingOptions> options, TimeProvider time) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var delay = options.Value.DrainDelay;
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The shutdown timeout ran out first: stop now.
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

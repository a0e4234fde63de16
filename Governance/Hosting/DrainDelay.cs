using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.Hosting;

/// <summary>
/// On shutdown, keeps serving for <see cref="HostingOptions.DrainDelay"/> while health already says
/// NOT_SERVING, so that Envoy's health checks and Kubernetes endpoints stop routing to this replica
/// before its listeners close. Registered after the web server, so it stops first.
/// </summary>
internal sealed class DrainDelay(IOptions<HostingOptions> options, TimeProvider time) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
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
}

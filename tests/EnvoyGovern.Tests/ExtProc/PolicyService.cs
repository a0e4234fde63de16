using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.ExtProc;

/// <summary>An ExtProc service running on a policy directory of its own, ready once the policy loaded.</summary>
public sealed class PolicyService : IAsyncDisposable
{
    private readonly PolicyDirectory _policy;

    private PolicyService(RunningService service, PolicyDirectory policy)
    {
        Service = service;
        _policy = policy;
    }

    public RunningService Service { get; }

    public static async Task<PolicyService> StartAsync(string policyYaml, params string[] settings)
    {
        var policy = new PolicyDirectory(("policy.yaml", policyYaml));
        var service = await RunningService.StartExtProcAsync(null, [policy.Setting, .. settings]);
        await WaitForPolicyAsync(service);
        return new PolicyService(service, policy);
    }

    /// <summary>Waits until /readyz says the policy loaded (it loads in the background at start).</summary>
    public static async Task WaitForPolicyAsync(RunningService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        for (var i = 0; i < 100; i++)
        {
            var ready = await service.Admin.GetAsync(new Uri("/readyz", UriKind.Relative));
            if (ready.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        _policy.Dispose();
    }
}

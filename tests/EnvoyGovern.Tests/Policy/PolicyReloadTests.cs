using System.Net;
using Envoy.Service.Auth.V3;
using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.TestSupport;
using AuthorizationClient = Envoy.Service.Auth.V3.Authorization.AuthorizationClient;

namespace EnvoyGovern.Tests.Policy;

/// <summary>Hot reload through a real ConfigMap-style <c>..data</c> swap, over a running service.</summary>
public sealed class PolicyReloadTests
{
    private static readonly string DenyAll = PolicyTexts.Document("p", """
        rules:
          - name: nobody
            effect: deny
            reason: closed
        """);

    private static readonly string[] FastReload = ["--Policy:PollInterval=00:00:00.200", "--Policy:Debounce=00:00:00.050"];

    private static async Task<RunningService> StartAsync(ConfigMapVolume volume) =>
        await RunningService.StartExtAuthzAsync(null, [$"--Policy:Directory={volume.Path}", .. FastReload]);

    [Fact]
    public async Task Reload_ValidUpdate_NewPolicyDecides()
    {
        using var volume = new ConfigMapVolume(("policy.yaml", PolicyTexts.AllowAll));
        await using var service = await StartAsync(volume);
        var client = new AuthorizationClient(service.Channel);
        Assert.Equal(0, (await client.CheckAsync(new EnvoyCheckRequestBuilder().Build())).Status.Code);

        volume.Update(("policy.yaml", DenyAll));

        var denied = await EventuallyAsync(async () => (await client.CheckAsync(new EnvoyCheckRequestBuilder().Build())).Status.Code != 0);
        Assert.True(denied, "the new policy did not take effect");
    }

    [Fact]
    public async Task Reload_InvalidUpdate_OldPolicyStaysAndReadinessSaysWhy()
    {
        using var volume = new ConfigMapVolume(("policy.yaml", PolicyTexts.AllowAll));
        await using var service = await StartAsync(volume);
        var client = new AuthorizationClient(service.Channel);
        var before = VersionOf(await client.CheckAsync(new EnvoyCheckRequestBuilder().Build()));

        volume.Update(("policy.yaml", PolicyTexts.AllowAll.Replace("effect: allow", "effect: maybe", StringComparison.Ordinal)));

        var reported = await EventuallyAsync(async () => (await service.Admin.GetStringAsync("/readyz")).Contains("rejected_errors", StringComparison.Ordinal));
        Assert.True(reported, "readiness did not report the rejected reload");
        using var ready = await service.Admin.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("policy.yaml:8", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var after = await client.CheckAsync(new EnvoyCheckRequestBuilder().Build());
        Assert.Equal(0, after.Status.Code);
        Assert.Equal(before, VersionOf(after));
        Assert.Contains("envoygovern_policy_last_reload_rejected 1", await service.Admin.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_UnderLoad_NoCallFails()
    {
        using var volume = new ConfigMapVolume(("policy.yaml", PolicyTexts.AllowAll));
        await using var service = await StartAsync(volume);
        var client = new AuthorizationClient(service.Channel);
        using var stop = new CancellationTokenSource();
        var versions = new System.Collections.Concurrent.ConcurrentBag<string>();
        var load = Enumerable.Range(0, 8).Select(async _ =>
        {
            var count = 0;
            while (!stop.IsCancellationRequested)
            {
                var response = await client.CheckAsync(new EnvoyCheckRequestBuilder().Build());
                Assert.Equal(0, response.Status.Code);
                versions.Add(VersionOf(response));
                count++;
            }

            return count;
        }).ToArray();

        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(300);
            volume.Update(("policy.yaml", PolicyTexts.AllowAll + $"\n# revision {i}\n"));
        }

        await Task.Delay(500);
        await stop.CancelAsync();
        var counts = await Task.WhenAll(load);

        Assert.True(counts.Sum() > 100, $"only {counts.Sum()} calls ran");
        Assert.True(versions.Distinct().Count() >= 3, $"saw versions {string.Join(',', versions.Distinct())}");
    }

    private static string VersionOf(CheckResponse response) =>
        response.OkResponse.Headers.Single(h => h.Header.Key == GovernanceHeaders.PolicyVersion).Header.Value;

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }
}

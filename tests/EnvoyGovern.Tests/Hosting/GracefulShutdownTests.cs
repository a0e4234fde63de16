using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Tests.Fixtures;
using EnvoyGovern.TestSupport;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using AuthorizationClient = Envoy.Service.Auth.V3.Authorization.AuthorizationClient;

namespace EnvoyGovern.Tests.Hosting;

public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task StopApplication_During200ConcurrentChecks_EveryCallAnswered()
    {
        // Each decision takes 300 ms, so all 200 calls are in flight when shutdown begins. SIGTERM reaches
        // the host as StopApplication, which is what this test calls.
        var slow = new DelayStep(TimeSpan.FromMilliseconds(300));
        await using var service = await RunningService.StartExtAuthzAsync(s => s.AddSingleton<IDecisionStep>(slow));
        var client = new AuthorizationClient(service.Channel);
        var calls = Enumerable.Range(0, 200)
            .Select(i => client.CheckAsync(new EnvoyCheckRequestBuilder().Path($"/v1/models/{i}").Build()).ResponseAsync)
            .ToArray();
        await WaitUntil(() => slow.Entered == 200, TimeSpan.FromSeconds(10));

        service.App.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var responses = await Task.WhenAll(calls);

        Assert.All(responses, r => Assert.Equal(0, r.Status.Code));
    }

    [Fact]
    public async Task StopApplication_HealthDuringDrainDelay_NotServing()
    {
        var slow = new DelayStep(TimeSpan.FromMilliseconds(500));
        await using var service = await RunningService.StartExtAuthzAsync(
            s => s.AddSingleton<IDecisionStep>(slow), "--Hosting:DrainDelay=00:00:02");
        var inFlight = new AuthorizationClient(service.Channel).CheckAsync(new EnvoyCheckRequestBuilder().Build()).ResponseAsync;
        await WaitUntil(() => slow.Entered == 1, TimeSpan.FromSeconds(10));

        service.App.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var status = await new Health.HealthClient(service.Channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, status.Status);
        Assert.Equal(0, (await inFlight).Status.Code);
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}

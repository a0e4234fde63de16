using System.Net;
using System.Text.Json;
using EnvoyGovern.ExtAuthz.Access;
using EnvoyGovern.Governance.Canary;
using EnvoyGovern.Governance.Policy.Runtime;
using EnvoyGovern.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace EnvoyGovern.Tests.Canary;

/// <summary>Operators see canaries and resume a halted one on the admin listener.</summary>
public sealed class CanaryAdminTests : IAsyncLifetime
{
    private RunningService _service = null!;

    public async Task InitializeAsync() =>
        _service = await RunningService.StartExtAuthzAsync(null, $"--Policy:Directory={RepoPaths.SamplePolicy}", "--Canary:EvaluationInterval=01:00:00");

    public async Task DisposeAsync() => await _service.DisposeAsync();

    private async Task<JsonElement> CanariesAsync()
    {
        using var document = JsonDocument.Parse(await _service.Admin.GetStringAsync(new Uri("/canaries", UriKind.Relative)));
        return Assert.Single(document.RootElement.EnumerateArray()).Clone();
    }

    [Fact]
    public async Task Canaries_HaltedThenResumed_StateFollowsInRegistryAndStore()
    {
        var running = await CanariesAsync();
        Assert.Equal(("gpt-4o", "gpt-4o-nov", "running", "upstream_canary"), (running.GetProperty("model").GetString(), running.GetProperty("canary").GetString(), running.GetProperty("state").GetString(), running.GetProperty("cluster").GetString()));

        var halts = _service.App.Services.GetRequiredService<CanaryHaltRegistry>();
        var store = _service.App.Services.GetRequiredService<ICanaryStore>();
        Assert.Empty(halts.Halts);

        var resume = new Uri("/canaries/gpt-4o/gpt-4o-nov/resume", UriKind.Relative);
        Assert.Equal(HttpStatusCode.Conflict, (await _service.Admin.PostAsync(resume, null)).StatusCode);
        var realKey = await HaltAsync(ActiveKey(), halts, store);
        Assert.Equal("halted", (await CanariesAsync()).GetProperty("state").GetString());
        Assert.Equal("error_rate", (await CanariesAsync()).GetProperty("halt").GetProperty("reason").GetString());

        var response = await _service.Admin.PostAsync(resume, null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(halts.IsHalted(realKey));
        Assert.Empty(await store.ReadHaltsAsync(CancellationToken.None));
        Assert.Equal("running", (await CanariesAsync()).GetProperty("state").GetString());
        Assert.Single(_service.Audit.Wait(r => CapturingAuditPipeline.Text(r, "event", "action") == "canary-resume"));
    }

    [Fact]
    public async Task Resume_UnknownCanary_404AndNotOnTheGrpcPort()
    {
        var response = await _service.Admin.PostAsync(new Uri("/canaries/gpt-4o/nope/resume", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var grpcPort = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_service.GrpcPort}") };
        Assert.NotEqual(HttpStatusCode.OK, (await grpcPort.GetAsync(new Uri("/canaries", UriKind.Relative))).StatusCode);
    }

    // The key the running service's active policy gives the canary.
    private CanaryKey ActiveKey() =>
        _service.App.Services.GetRequiredService<PolicyStore>().Current!.Get<AccessPolicy>().Documents
            .Select(d => d.Models).OfType<ModelResolver>().SelectMany(m => m.Routings).Single(r => r.Model == "gpt-4o").Canaries.Single().Key;

    // Halted the way the monitor halts: in the shared store, then in this replica's registry.
    private static async Task<CanaryKey> HaltAsync(CanaryKey key, CanaryHaltRegistry halts, ICanaryStore store)
    {
        var halt = new CanaryHalt("error_rate", "test", DateTimeOffset.UnixEpoch);
        await store.TryHaltAsync(key, halt, CancellationToken.None);
        halts.Halt(key, halt);
        return key;
    }
}

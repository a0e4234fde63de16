using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Integration.Tests;

/// <summary>
/// The whole path under test: the official Envoy image running the shipped bootstrap, in front of
/// ExtAuthz and ExtProc started in-process and two echo upstreams (stable, canary).
/// </summary>
/// <remarks>
/// Envoy runs in a container while everything else runs in this process, and the bootstrap's
/// clusters are STATIC 127.0.0.1 endpoints. With host networking the container shares this host's
/// loopback, so those endpoints reach the in-process services with no change to the bootstrap other
/// than its ports; the alternative (bridge network, host.docker.internal, STRICT_DNS) would test a
/// different bootstrap. The fixed ports (10000, 9901, 9001, 9002, 8080, 8081) are moved to free ones
/// so that the test neither collides with whatever else runs on this host nor with itself. A rootless
/// engine's "host" network is its own namespace, not this host's loopback: this needs a rootful
/// engine on Linux.
/// </remarks>
public sealed class GovernedEnvoy : IAsyncDisposable
{
    // v1.33: new enough to send ext_proc's protocol_config (Envoy 1.32+), which the services read
    // through protos/Compat beyond the older pinned protos, so the test drives that path as a recent
    // Envoy does; the bootstrap itself needs only 1.30+ (envoy-config/README.md). One minor is pinned
    // so that what the tests assert (fail-closed status, stat names) cannot move under them; "-latest"
    // takes only that minor's patch releases. Moving to a newer minor is a deliberate edit here.
    public const string EnvoyImage = "envoyproxy/envoy:v1.33-latest";

    private const string BootstrapInContainer = "/etc/envoy/envoy.yaml";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WarmUpTimeout = TimeSpan.FromSeconds(30);

    private readonly List<IAsyncDisposable> _owned = [];
    private readonly string _bootstrapFile;
    private RunningService? _extAuthz;

    private GovernedEnvoy(RunningService extAuthz, EchoUpstream stable, EchoUpstream canary, IContainer envoy, int listenerPort, int adminPort, string bootstrapFile)
    {
        _extAuthz = extAuthz;
        Stable = stable;
        Canary = canary;
        Envoy = envoy;
        Admin = new EnvoyAdmin(adminPort);
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{listenerPort}"), Timeout = TimeSpan.FromSeconds(10) };
        _bootstrapFile = bootstrapFile;
    }

    public EchoUpstream Stable { get; }

    public EchoUpstream Canary { get; }

    public IContainer Envoy { get; }

    public EnvoyAdmin Admin { get; }

    /// <summary>A client for Envoy's listener: the way in that a real caller uses.</summary>
    public HttpClient Client { get; }

    public static async Task<GovernedEnvoy> StartAsync()
    {
        // Until the stack owns them, whatever started is stopped here if a later step fails.
        var started = new List<IAsyncDisposable>();
        GovernedEnvoy stack;
        try
        {
            var extAuthz = await RunningService.StartExtAuthzAsync();
            started.Add(extAuthz);
            var extProc = await RunningService.StartExtProcAsync();
            started.Add(extProc);
            var stable = await EchoUpstream.StartAsync("stable");
            started.Add(stable);
            var canary = await EchoUpstream.StartAsync("canary");
            started.Add(canary);

            var listenerPort = LoopbackPorts.Free();
            var adminPort = LoopbackPorts.Free();
            var bootstrap = EnvoyBootstrap.WithPorts(EnvoyBootstrap.Shipped, new Dictionary<int, int>
            {
                [EnvoyBootstrap.Listener] = listenerPort,
                [EnvoyBootstrap.Admin] = adminPort,
                [EnvoyBootstrap.ExtAuthz] = extAuthz.GrpcPort,
                [EnvoyBootstrap.ExtProc] = extProc.GrpcPort,
                [EnvoyBootstrap.Stable] = stable.Port,
                [EnvoyBootstrap.Canary] = canary.Port,
            });

            // A file rather than a bind mount: Testcontainers copies it into the container before start,
            // which also works when the engine does not share this host's file system. It stays on disk
            // until disposal, for reading when a test fails.
            var bootstrapFile = Path.Combine(Path.GetTempPath(), $"envoygovern-envoy-{Guid.NewGuid():N}.yaml");
            await File.WriteAllTextAsync(bootstrapFile, bootstrap);

            var envoy = new ContainerBuilder(EnvoyImage)
                .WithNetworkMode("host")
                .WithResourceMapping(new FileInfo(bootstrapFile), new FileInfo(BootstrapInContainer))
                // Hot restart coordinates Envoy processes through a domain socket named by base id;
                // two Envoys on the host network (a stale container, a parallel run) would collide.
                .WithCommand("envoy", "-c", BootstrapInContainer, "--disable-hot-restart", "--log-level", "info")
                .Build();
            stack = new GovernedEnvoy(extAuthz, stable, canary, envoy, listenerPort, adminPort, bootstrapFile);
            stack._owned.AddRange([extProc, stable, canary]);
        }
        catch
        {
            foreach (var resource in started)
            {
                await resource.DisposeAsync();
            }

            throw;
        }

        try
        {
            await stack.Envoy.StartAsync();
            await stack.WaitUntilReadyAsync();
            await stack.WarmUpAsync();
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the ext_authz service: from now on Envoy's ext_authz cluster refuses connections.</summary>
    public async Task StopExtAuthzAsync()
    {
        if (_extAuthz is { } extAuthz)
        {
            _extAuthz = null;
            await extAuthz.DisposeAsync();
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        // Envoy loads a static bootstrap in about a second; a bootstrap it rejects makes it exit, which
        // shows here as a timeout whose message carries Envoy's own complaint from the logs.
        using var deadline = new CancellationTokenSource(ReadyTimeout);
        while (!await Admin.IsReadyAsync(deadline.Token))
        {
            if (deadline.IsCancellationRequested)
            {
                throw new InvalidOperationException($"Envoy did not become ready; bootstrap {_bootstrapFile}; logs:\n{await LogsAsync()}");
            }

            await Task.Delay(200, CancellationToken.None);
        }
    }

    // The first Check and the first ext_proc stream JIT the services' gRPC paths, which can take
    // longer than the bootstrap's budgets (ext_authz 0.25 s, ext_proc 0.2 s per message) and fail
    // closed. The bootstrap's budgets are what is under test, so the services are warmed instead.
    private async Task WarmUpAsync()
    {
        using var deadline = new CancellationTokenSource(WarmUpTimeout);
        var last = "no answer";
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                using var response = await Client.GetAsync(new Uri("/warm-up", UriKind.Relative), deadline.Token);
                if (response.IsSuccessStatusCode)
                {
                    Stable.Forget();
                    Canary.Forget();
                    return;
                }

                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(200, CancellationToken.None);
        }

        throw new InvalidOperationException($"Envoy never passed a request to upstream_stable (last: {last}); logs:\n{await LogsAsync()}");
    }

    private async Task<string> LogsAsync()
    {
        var (stdout, stderr) = await Envoy.GetLogsAsync(ct: CancellationToken.None);
        return stdout + stderr;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Admin.Dispose();
        await Envoy.DisposeAsync();
        await StopExtAuthzAsync();
        foreach (var resource in _owned)
        {
            await resource.DisposeAsync();
        }

        File.Delete(_bootstrapFile);
    }
}

using EnvoyGovern.ExtAuthz;
using EnvoyGovern.ExtProc;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace EnvoyGovern.TestSupport;

/// <summary>A service started in-process on free loopback ports, with a real gRPC client and an admin client.</summary>
public sealed class RunningService : IAsyncDisposable
{
    private RunningService(WebApplication app, int grpcPort, int adminPort)
    {
        App = app;
        GrpcPort = grpcPort;
        AdminPort = adminPort;
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}", new GrpcChannelOptions
        {
            MaxReceiveMessageSize = 64 * 1024 * 1024,
            MaxSendMessageSize = 64 * 1024 * 1024,
        });
        Admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}") };
    }

    public WebApplication App { get; }

    public int GrpcPort { get; }

    public int AdminPort { get; }

    public GrpcChannel Channel { get; }

    public HttpClient Admin { get; }

    /// <summary>Starts ExtAuthz; without a <c>Policy:Directory</c> setting it gets an allow-all policy of its own.</summary>
    public static async Task<RunningService> StartExtAuthzAsync(Action<IServiceCollection>? services = null, params string[] settings)
    {
        if (settings.Any(s => s.StartsWith("--Policy:Directory=", StringComparison.Ordinal)))
        {
            return await StartAsync((args, prefix) => ExtAuthzApp.Build(args, prefix, services), settings);
        }

        var policy = new PolicyDirectory(("allow-all.yaml", PolicyDirectory.AllowAll));
        var service = await StartAsync((args, prefix) => ExtAuthzApp.Build(args, prefix, services), [policy.Setting, .. settings]);
        service._owned = policy;
        return service;
    }

    public static Task<RunningService> StartExtProcAsync(Action<IServiceCollection>? services = null, params string[] settings) =>
        StartAsync((args, prefix) => ExtProcApp.Build(args, prefix, services), settings);

    private static async Task<RunningService> StartAsync(Func<string[], string?, WebApplication> build, string[] settings)
    {
        // A port picked free can be taken before Kestrel binds it; try again rather than fail the test.
        for (var attempt = 0; ; attempt++)
        {
            var grpcPort = LoopbackPorts.Free();
            var adminPort = LoopbackPorts.Free();
            string[] args =
            [
                $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{grpcPort}",
                $"--Kestrel:Endpoints:Admin:Url=http://127.0.0.1:{adminPort}",
                "--Logging:MinimumLevel=Error",
                .. settings,
            ];
            var app = build(args, null);
            try
            {
                await app.StartAsync();
                return new RunningService(app, grpcPort, adminPort);
            }
            catch (IOException) when (attempt < 3)
            {
                await app.DisposeAsync();
            }
        }
    }

    private PolicyDirectory? _owned;

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        Admin.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        _owned?.Dispose();
    }
}

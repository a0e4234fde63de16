using EnvoyGovern.ExtAuthz;
using EnvoyGovern.ExtProc;
using EnvoyGovern.Governance.Audit;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace EnvoyGovern.TestSupport;

/// <summary>
/// A service started in-process on free loopback ports, with a real gRPC client and an admin client. Its audit
/// records go to <see cref="Audit"/>, which checks each against the ECS field list: a test whose service wrote a
/// non-conforming record fails at disposal (unless the test registered a pipeline of its own).
/// </summary>
public sealed class RunningService : IAsyncDisposable
{
    private RunningService(WebApplication app, int grpcPort, int adminPort, CapturingAuditPipeline audit)
    {
        App = app;
        Audit = audit;
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

    /// <summary>The audit records the service wrote.</summary>
    public CapturingAuditPipeline Audit { get; }

    /// <summary>Starts ExtAuthz; without a <c>Policy:Directory</c> setting it gets an allow-all policy of its own.</summary>
    public static async Task<RunningService> StartExtAuthzAsync(Action<IServiceCollection>? services = null, params string[] settings)
    {
        if (settings.Any(s => s.StartsWith("--Policy:Directory=", StringComparison.Ordinal)))
        {
            return await StartAsync((args, prefix, audit) => ExtAuthzApp.Build(args, prefix, Capture(audit, services)), settings);
        }

        var policy = new PolicyDirectory(("allow-all.yaml", PolicyDirectory.AllowAll));
        var service = await StartAsync((args, prefix, audit) => ExtAuthzApp.Build(args, prefix, Capture(audit, services)), [policy.Setting, .. settings]);
        service._owned = policy;
        return service;
    }

    public static Task<RunningService> StartExtProcAsync(Action<IServiceCollection>? services = null, params string[] settings) =>
        StartAsync((args, prefix, audit) => ExtProcApp.Build(args, prefix, Capture(audit, services)), settings);

    // The test's own registrations come after, so a test can still put another pipeline in place.
    private static Action<IServiceCollection> Capture(CapturingAuditPipeline audit, Action<IServiceCollection>? services) => s =>
    {
        s.AddSingleton<IAuditPipeline>(audit);
        services?.Invoke(s);
    };

    private static async Task<RunningService> StartAsync(Func<string[], string?, CapturingAuditPipeline, WebApplication> build, string[] settings)
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
            var audit = new CapturingAuditPipeline();
            var app = build(args, null, audit);
            try
            {
                await app.StartAsync();
                return new RunningService(app, grpcPort, adminPort, audit);
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
        if (Audit.Problems.Count > 0)
        {
            throw new InvalidOperationException($"audit records do not conform to ECS or the shipped index template:\n{string.Join("\n", Audit.Problems)}");
        }
    }
}

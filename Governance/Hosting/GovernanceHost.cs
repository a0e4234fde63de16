using EnvoyGovern.Governance.Audit.Delivery;
using EnvoyGovern.Governance.Audit.Recording;
using EnvoyGovern.Governance.Health;
using EnvoyGovern.Governance.Observability;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Prometheus;

namespace EnvoyGovern.Governance.Hosting;

/// <summary>
/// Builds the host that both services share: a gRPC listener (HTTP/2) and an admin listener (HTTP/1.1)
/// configured through standard Kestrel configuration, JSON logs, Prometheus metrics, health and graceful
/// shutdown. Each service adds its own gRPC service on top.
/// </summary>
public static class GovernanceHost
{
    /// <summary>Creates a builder for <paramref name="service"/>.</summary>
    /// <param name="service">Which service this process hosts.</param>
    /// <param name="args">Command-line arguments (configuration overrides).</param>
    /// <param name="configurationPrefix">
    /// When several services share one process, each reads its Kestrel endpoints from
    /// <c>{prefix}:Kestrel</c> instead of <c>Kestrel</c>.
    /// </param>
    public static WebApplicationBuilder CreateBuilder(GovernanceService service, string[] args, string? configurationPrefix = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        MetricsDefaults.Apply();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // A service that cannot be constructed must fail at start, not as UNKNOWN on the first call.
        builder.Host.UseDefaultServiceProvider(provider =>
        {
            provider.ValidateOnBuild = true;
            provider.ValidateScopes = true;
        });
        GovernanceKestrel.Configure(builder, service, configurationPrefix);
        GovernanceLogging.Configure(builder, service);
        AddServices(builder, service);
        return builder;
    }

    /// <summary>Maps health, reflection, metrics and probes, and keeps each on its own listener.</summary>
    public static WebApplication UseGovernanceEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Created now, so that /metrics lists the series (at zero) before the first call.
        var gate = new GrpcCallGate(app.Services.GetRequiredService<GrpcMetrics>(), app.Services.GetRequiredService<GovernanceService>());
        app.UseRouting();
        app.Use(gate.InvokeAsync);
        app.MapGrpcHealthChecksService();
        if (app.Services.GetRequiredService<IOptions<HostingOptions>>().Value.EnableReflection)
        {
            app.MapGrpcReflectionService();
        }

        app.MapMetrics("/metrics");
        app.MapGet("/healthz", () => Microsoft.AspNetCore.Http.Results.Text("ok\n"));
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(HealthTags.Ready),
            ResponseWriter = ReadinessWriter.WriteAsync,
        });
        return app;
    }

    private static void AddServices(WebApplicationBuilder builder, GovernanceService service)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(service);
        services.AddOptions<HostingOptions>()
            .Bind(builder.Configuration.GetSection(HostingOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<HostOptions>()
            .Configure<IOptions<HostingOptions>>((host, hosting) => host.ShutdownTimeout = hosting.Value.ShutdownTimeout);

        services.AddHostedService<DrainDelay>();
        // Audit records: stdout NDJSON by default; Audit:Sink File or Elasticsearch puts a durable write-ahead
        // queue and a delivery loop in its place.
        services.AddGovernanceAudit(builder.Configuration);
        services.AddAuditDelivery(builder.Configuration);
        services.AddSingleton<GrpcMetrics>();
        // No interceptor: GrpcCallGate counts and times the calls (see there why).
        services.AddGrpc(grpc => grpc.EnableDetailedErrors = false);
        services.AddOptions<GrpcServiceOptions>()
            .Configure<IOptions<HostingOptions>>((grpc, hosting) =>
            {
                grpc.MaxReceiveMessageSize = hosting.Value.MaxReceiveMessageBytes;
                grpc.MaxSendMessageSize = hosting.Value.MaxSendMessageBytes;
            });
        services.AddGrpcReflection();

        services.AddHealthChecks()
            .AddCheck<ShutdownHealthCheck>("shutdown", tags: [HealthTags.Ready]);
        services.AddGrpcHealthChecks(health =>
        {
            health.Services.Map("", r => r.Tags.Contains(HealthTags.Ready));
            health.Services.Map(service.GrpcServiceName, r => r.Tags.Contains(HealthTags.Ready));
        });
    }
}

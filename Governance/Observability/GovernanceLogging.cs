using EnvoyGovern.Governance.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace EnvoyGovern.Governance.Observability;

/// <summary>
/// Serilog, one JSON object per line on stderr, with the service name on every event. Stdout carries only
/// audit records (ECS NDJSON), so a log shipper can route the two streams apart without parsing.
/// </summary>
internal static class GovernanceLogging
{
    /// <summary>Configuration key: <c>true</c> gives every call ASP.NET Core's request Activity and log scope.</summary>
    public const string RequestScopeKey = "Logging:RequestScope";

    private const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static void Configure(WebApplicationBuilder builder, GovernanceService service)
    {
        var level = Enum.TryParse<LogEventLevel>(builder.Configuration["Logging:MinimumLevel"], ignoreCase: true, out var parsed)
            ? parsed
            : LogEventLevel.Information;
        var requestScope = bool.TryParse(builder.Configuration[RequestScopeKey], out var scoped) && scoped;
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(config => config
            .MinimumLevel.Is(level)
            // Framework chatter per request would cost latency and drown the audit-relevant events.
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            // While this category can log at all, ASP.NET Core's hosting starts an Activity and a log scope for
            // every call (about 1.5 µs of CPU, bench/README.md fifth pass) to put request and trace ids on the
            // rare events logged inside a call; ours carry the decision or exchange id, which the audit record
            // ties to the request id and trace, and a host that fails to start is reported by
            // Microsoft.Extensions.Hosting. Logging:RequestScope=true brings the scope back.
            .MinimumLevel.Override(HostingDiagnosticsCategory, requestScope ? LogEventLevel.Warning : LevelAlias.Off)
            .MinimumLevel.Override("Grpc", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("service", service.Name)
            .WriteTo.Console(new RenderedCompactJsonFormatter(), standardErrorFromLevel: LogEventLevel.Verbose),
            // Two services may share a process; neither may replace the other's logger through the static one.
            preserveStaticLogger: true);
    }
}

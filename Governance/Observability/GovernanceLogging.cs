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
    public static void Configure(WebApplicationBuilder builder, GovernanceService service)
    {
        var level = Enum.TryParse<LogEventLevel>(builder.Configuration["Logging:MinimumLevel"], ignoreCase: true, out var parsed)
            ? parsed
            : LogEventLevel.Information;
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(config => config
            .MinimumLevel.Is(level)
            // Framework chatter per request would cost latency and drown the audit-relevant events.
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Grpc", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("service", service.Name)
            .WriteTo.Console(new RenderedCompactJsonFormatter(), standardErrorFromLevel: LogEventLevel.Verbose),
            // Two services may share a process; neither may replace the other's logger through the static one.
            preserveStaticLogger: true);
    }
}

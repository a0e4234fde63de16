using EnvoyGovern.ExtProc.Audit;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.ExtProc.Processing;
using EnvoyGovern.Governance.Decisions;
using EnvoyGovern.Governance.Hosting;

namespace EnvoyGovern.ExtProc;

/// <summary>Composes the ext_proc host: shared governance hosting plus the ExternalProcessor service.</summary>
public static class ExtProcApp
{
    /// <summary>Builds the application.</summary>
    /// <param name="args">Command-line configuration overrides.</param>
    /// <param name="configurationPrefix">Set when another service shares the process (see <see cref="GovernanceHost"/>).</param>
    /// <param name="configureServices">Extra registrations, applied last (inspectors, fakes in tests).</param>
    public static WebApplication Build(string[] args, string? configurationPrefix = null, Action<IServiceCollection>? configureServices = null)
    {
        var builder = GovernanceHost.CreateBuilder(GovernanceService.ExtProc, args, configurationPrefix);
        builder.Services.AddSingleton<DecisionIds>();
        builder.Services.AddSingleton<InspectorChain>();
        builder.Services.AddSingleton<ExtProcMetrics>();
        builder.Services.AddSingleton<ExchangeAudit>();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.Services.GetRequiredService<ExtProcMetrics>();
        app.UseGovernanceEndpoints();
        app.MapGrpcService<ExternalProcessorService>();
        return app;
    }
}

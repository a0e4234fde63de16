using EnvoyGovern.ExtProc.Audit;
using EnvoyGovern.ExtProc.Canary;
using EnvoyGovern.ExtProc.Content;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.ExtProc.Inspection.Bodies;
using EnvoyGovern.ExtProc.Pii;
using EnvoyGovern.ExtProc.Processing;
using EnvoyGovern.ExtProc.Waf.Inspection;
using EnvoyGovern.Governance.Canary;
using EnvoyGovern.Governance.Decisions;
using EnvoyGovern.Governance.Hosting;
using EnvoyGovern.Governance.Policy.Runtime;

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
        builder.Services.AddOptions<BodyOptions>()
            .Bind(builder.Configuration.GetSection(BodyOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // The policy selects WAF mode and paranoia per host; without a policy directory the WAF inspects nothing.
        var hasPolicy = !string.IsNullOrEmpty(builder.Configuration[$"{PolicyOptions.SectionName}:Directory"]);
        if (hasPolicy)
        {
            builder.Services.AddGovernancePolicy(builder.Configuration);
            builder.Services.AddSingleton<IPolicyCompiler, WafPolicyCompiler>();
            builder.Services.AddSingleton<IPolicyCompiler, ContentPolicyCompiler>();
        }

        builder.Services.AddOptions<WafOptions>()
            .Bind(builder.Configuration.GetSection(WafOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<WafMetrics>();
        builder.Services.AddSingleton<WafRuleSetProvider>();
        builder.Services.AddSingleton<WafRuleWatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WafRuleWatcher>());
        builder.Services.AddSingleton<IInspector>(sp => new WafInspector(
            sp.GetRequiredService<WafRuleSetProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<WafOptions>>(),
            sp.GetRequiredService<WafMetrics>(),
            sp.GetRequiredService<ILogger<WafInspector>>(),
            sp.GetService<PolicyStore>()));

        // Content inspection of AI API bodies, in order: the gate admits bodies, then each feature.
        builder.Services.AddSingleton<IInspector>(sp => new ContentGateInspector(sp.GetService<PolicyStore>()));
        builder.Services.AddSingleton<IInspector, PiiInspector>();

        // Outcomes per cluster for the canary guardrails ExtAuthz judges; serve shares one store with it.
        builder.Services.AddCanaryStore(builder.Configuration);
        builder.Services.AddSingleton<IInspector, CanaryOutcomeInspector>();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.Services.GetRequiredService<ExtProcMetrics>();

        // Rules load at start: a ruleset that does not load stops the service (fail closed).
        app.Services.GetRequiredService<WafRuleSetProvider>();
        if (!hasPolicy)
        {
            WafLog.NoPolicy(app.Services.GetRequiredService<ILogger<WafRuleSetProvider>>());
        }
        app.UseGovernanceEndpoints();
        app.MapGrpcService<ExternalProcessorService>();
        return app;
    }
}

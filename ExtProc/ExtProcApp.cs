using EnvoyGovern.ExtProc.Audit;
using EnvoyGovern.ExtProc.Canary;
using EnvoyGovern.ExtProc.Content;
using EnvoyGovern.ExtProc.GenAi;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.ExtProc.Inspection.Bodies;
using EnvoyGovern.ExtProc.Pii;
using EnvoyGovern.ExtProc.PromptInjection;
using EnvoyGovern.ExtProc.Processing;
using EnvoyGovern.ExtProc.Waf.Inspection;
using EnvoyGovern.Governance.Canary;
using EnvoyGovern.Governance.Decisions;
using EnvoyGovern.Governance.Hosting;
using EnvoyGovern.Governance.Policy.Runtime;
using EnvoyGovern.Governance.TokenBudgets;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
        // Stateless over singletons (the stream's state lives in its ProcessingSession): registered, Grpc.AspNetCore
        // takes this one instance for every stream instead of constructing one per stream from the request's scope.
        builder.Services.AddSingleton<ExternalProcessorService>();
        builder.Services.AddOptions<BodyOptions>()
            .Bind(builder.Configuration.GetSection(BodyOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // The policy selects WAF mode and paranoia per host; without a policy directory the WAF inspects nothing.
        var hasPolicy = !string.IsNullOrEmpty(builder.Configuration[$"{PolicyOptions.SectionName}:Directory"]);
        if (hasPolicy)
        {
            builder.Services.AddGovernancePolicy(builder.Configuration);
            AddPolicyCompilers(builder.Services);
        }

        builder.Services.AddTokenBudgetStore(builder.Configuration);
        AddContentInspectors(builder.Services, builder.Configuration);

        // WAF rule files are watched and reloaded while the service runs.
        builder.Services.AddSingleton<WafRuleWatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WafRuleWatcher>());

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

    /// <summary>The compilers of ExtProc's policy sections (WAF, content inspection).</summary>
    internal static void AddPolicyCompilers(IServiceCollection services)
    {
        services.AddSingleton<IPolicyCompiler, WafPolicyCompiler>();
        services.AddSingleton<IPolicyCompiler, ContentPolicyCompiler>();
    }

    /// <summary>
    /// The inspectors that read requests and responses, in chain order: the WAF, then content inspection
    /// of AI API bodies (the gate admits bodies, then model governance, prompt injection, personal data:
    /// the cap is written before the body is judged, personal data masked last). Also what
    /// <c>envoy-govern policy test</c> runs for ExtProc tests.
    /// </summary>
    internal static void AddContentInspectors(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WafOptions>()
            .Bind(configuration.GetSection(WafOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<WafMetrics>();
        services.AddSingleton<WafRuleSetProvider>();
        services.AddSingleton<IInspector>(sp => new WafInspector(
            sp.GetRequiredService<WafRuleSetProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<WafOptions>>(),
            sp.GetRequiredService<WafMetrics>(),
            sp.GetRequiredService<ILogger<WafInspector>>(),
            sp.GetService<PolicyStore>()));
        services.AddSingleton<IInspector>(sp => new ContentGateInspector(sp.GetService<PolicyStore>()));
        services.TryAddSingleton<ITokenBudgetStore>(sp => new InMemoryTokenBudgetStore(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IInspector, GenAiInspector>();
        services.AddSingleton<IInspector, PromptInjectionInspector>();
        services.AddSingleton<IInspector, PiiInspector>();
    }
}

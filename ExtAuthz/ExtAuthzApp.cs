using EnvoyGovern.ExtAuthz.Access;
using EnvoyGovern.ExtAuthz.Audit;
using EnvoyGovern.ExtAuthz.Authorization;
using EnvoyGovern.ExtAuthz.Canary;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.ExtAuthz.Quotas;
using EnvoyGovern.Governance.Canary;
using EnvoyGovern.Governance.Decisions;
using EnvoyGovern.Governance.Hosting;
using EnvoyGovern.Governance.Policy.Runtime;
using EnvoyGovern.Governance.TokenBudgets;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EnvoyGovern.ExtAuthz;

/// <summary>Composes the ext_authz host: shared governance hosting plus the Authorization service.</summary>
public static class ExtAuthzApp
{
    /// <summary>Builds the application.</summary>
    /// <param name="args">Command-line configuration overrides.</param>
    /// <param name="configurationPrefix">Set when another service shares the process (see <see cref="GovernanceHost"/>).</param>
    /// <param name="configureServices">Extra registrations, applied last (decision steps, fakes in tests).</param>
    public static WebApplication Build(string[] args, string? configurationPrefix = null, Action<IServiceCollection>? configureServices = null)
    {
        var builder = GovernanceHost.CreateBuilder(GovernanceService.ExtAuthz, args, configurationPrefix);
        builder.Services.AddSingleton<DecisionIds>();
        builder.Services.AddSingleton<DecisionPipeline>();
        builder.Services.AddSingleton<CheckResponseFactory>();
        builder.Services.AddSingleton<AuthorizationMetrics>();
        builder.Services.AddSingleton<IDecisionAudit, DecisionAudit>();
        // Stateless over singletons: registered, Grpc.AspNetCore takes this one instance for every call instead of
        // constructing a service per call from the request's scope (seven dependencies resolved each time).
        builder.Services.AddSingleton<AuthorizationService>();

        // The policy decision: loaded from Policy:Directory, hot-reloaded, compiled before it is used.
        builder.Services.AddGovernancePolicy(builder.Configuration);
        builder.Services.AddHttpClient(IdentitySourceContext.JwksHttpClientName, client => client.Timeout = TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton<IIdentitySourceFactory, IdentitySourceFactory>();
        builder.Services.AddSingleton<IPolicyCompiler, AccessPolicyCompiler>();
        builder.Services.AddQuotaStore(builder.Configuration);
        builder.Services.AddTokenBudgetStore(builder.Configuration);
        AddCanaryGuardrails(builder.Services, builder.Configuration);
        builder.Services.AddSingleton<IDecisionStep, AccessStep>();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.Services.GetRequiredService<AuthorizationMetrics>();
        app.UseGovernanceEndpoints();
        app.MapGrpcService<AuthorizationService>();
        app.MapCanaryAdmin();
        return app;
    }

    // Halts are read per Check from memory; the monitor fills that memory from the outcome store, which
    // serve (both services in one process) replaces with one instance shared with ExtProc.
    private static void AddCanaryGuardrails(IServiceCollection services, ConfigurationManager configuration)
    {
        services.AddCanaryStore(configuration);
        services.TryAddSingleton<CanaryHaltRegistry>();
        services.TryAddSingleton<ICanaryHalts>(sp => sp.GetRequiredService<CanaryHaltRegistry>());
        services.AddSingleton<CanaryMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<CanaryMonitor>());
    }
}

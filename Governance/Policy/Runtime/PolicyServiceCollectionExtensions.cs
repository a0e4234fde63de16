using EnvoyGovern.Governance.Health;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EnvoyGovern.Governance.Policy.Runtime;

/// <summary>Registers policy loading, hot reload, metrics and readiness.</summary>
public static class PolicyServiceCollectionExtensions
{
    /// <summary>Adds the policy store fed from <c>Policy:Directory</c>. Features add their <see cref="IPolicyCompiler"/>s.</summary>
    public static IServiceCollection AddGovernancePolicy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PolicyOptions>()
            .Bind(configuration.GetSection(PolicyOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<PolicyStore>();
        services.AddSingleton<PolicyMetrics>();
        services.AddSingleton<PolicyWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<PolicyWatcher>());
        services.AddHealthChecks().AddCheck<PolicyHealthCheck>("policy", tags: [HealthTags.Ready]);
        return services;
    }
}

using EnvoyGovern.Governance.Policy.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.Audit.Recording;

/// <summary>Registers audit record production (section <c>Audit</c>) with stdout as the default pipeline.</summary>
public static class AuditServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="AuditRecorder"/> of this service, checkpoints, a record per policy change, and
    /// <see cref="StdoutAuditPipeline"/> unless an <see cref="IAuditPipeline"/> is registered (a registration
    /// made later with <c>AddSingleton</c> wins too, as the last one does).
    /// </summary>
    public static IServiceCollection AddGovernanceAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditRecordingOptions>()
            .Bind(configuration.GetSection(AuditRecordingOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditRecordingOptions>, AuditRecordingOptionsValidator>());
        services.TryAddSingleton<IAuditPipeline, StdoutAuditPipeline>();
        services.TryAddSingleton<AuditRecorder>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPolicyChangeObserver, PolicyAuditObserver>());
        services.AddHostedService<AuditCheckpointService>();
        return services;
    }
}

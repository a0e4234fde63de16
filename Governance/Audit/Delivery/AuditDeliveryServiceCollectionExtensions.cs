using EnvoyGovern.Governance.Audit.Delivery.Elasticsearch;
using EnvoyGovern.Governance.Audit.Delivery.FileSink;
using EnvoyGovern.Governance.Audit.Delivery.Wal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.Audit.Delivery;

/// <summary>Registers durable audit delivery when configuration selects a file or Elasticsearch sink.</summary>
public static class AuditDeliveryServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates section <c>Audit</c> (at start). With <c>Audit:Sink</c> File or Elasticsearch, replaces
    /// any registered <see cref="IAuditPipeline"/> (such as the default stdout one) with the write-ahead-log pipeline
    /// and starts the delivery loop; with Stdout (the default), leaves the pipeline alone. Call order relative to
    /// the default registration does not matter.
    /// </summary>
    public static IServiceCollection AddAuditDelivery(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(AuditDeliveryOptions.SectionName);
        services.AddOptions<AuditDeliveryOptions>()
            .Bind(section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditDeliveryOptions>, AuditDeliveryOptionsValidator>());

        // The sink decides which services exist, so it is read now; a bad value fails the start with the binder's message.
        var sink = section.GetValue(nameof(AuditDeliveryOptions.Sink), AuditSinkKind.Stdout);
        if (sink == AuditSinkKind.Stdout)
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AuditDeliveryMetrics>();
        services.AddSingleton(sp =>
        {
            var metrics = sp.GetRequiredService<AuditDeliveryMetrics>();
            var logger = sp.GetRequiredService<ILogger<AuditWriteAheadLog>>();
            return new AuditWriteAheadLog(
                WalSettings.From(sp.GetRequiredService<IOptions<AuditDeliveryOptions>>().Value),
                sp.GetRequiredService<TimeProvider>(),
                detail =>
                {
                    metrics.Dropped(DropReasons.Corrupt);
                    AuditDeliveryLog.Corrupt(logger, detail);
                });
        });
        services.AddSingleton(sp => new DeadLetterFile(
            sp.GetRequiredService<IOptions<AuditDeliveryOptions>>().Value.QueueDirectory, sp.GetRequiredService<TimeProvider>()));
        if (sink == AuditSinkKind.File)
        {
            services.AddSingleton<IAuditSink, RotatingFileAuditSink>();
        }
        else
        {
            services.AddSingleton<IAuditSink, ElasticsearchAuditSink>();
        }

        services.RemoveAll<IAuditPipeline>();
        services.AddSingleton<IAuditPipeline, DurableAuditPipeline>();
        services.AddHostedService<AuditDeliveryWorker>();
        return services;
    }
}

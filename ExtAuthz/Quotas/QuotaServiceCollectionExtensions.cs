using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.ExtAuthz.Quotas;

/// <summary>Registers the quota store the <c>Quotas</c> section chooses.</summary>
public static class QuotaServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates (at start) <see cref="QuotaOptions"/> from the <c>Quotas</c> section of
    /// <paramref name="configuration"/>, and registers <see cref="IQuotaStore"/> as a singleton:
    /// <see cref="InMemoryQuotaStore"/> or <see cref="RedisQuotaStore"/> (which connects on first use and
    /// is disposed with the host). Registers <see cref="TimeProvider.System"/> unless a clock is already there.
    /// </summary>
    public static IServiceCollection AddQuotaStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<QuotaOptions>()
            .Bind(configuration.GetSection(QuotaOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QuotaOptions>, QuotaOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<InMemoryQuotaStore>();
        services.TryAddSingleton<RedisQuotaStore>();
        services.TryAddSingleton<IQuotaStore>(static provider =>
            provider.GetRequiredService<IOptions<QuotaOptions>>().Value.Store == QuotaStoreKind.Redis
                ? provider.GetRequiredService<RedisQuotaStore>()
                : provider.GetRequiredService<InMemoryQuotaStore>());
        return services;
    }
}

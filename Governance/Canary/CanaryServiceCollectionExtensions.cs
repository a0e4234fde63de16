using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.Canary;

/// <summary>Registers the canary outcome and halt store the <c>Canary</c> section chooses.</summary>
public static class CanaryServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates (at start) <see cref="CanaryOptions"/> and registers <see cref="ICanaryStore"/>:
    /// <see cref="RedisCanaryStore"/> (flushed in the background) or an <see cref="InMemoryCanaryStore"/>,
    /// the instance already registered as <see cref="InMemoryCanaryStore"/> if there is one, which is how
    /// <c>serve</c> gives both services one store. Log ids 3201-3209.
    /// </summary>
    public static IServiceCollection AddCanaryStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CanaryOptions>()
            .Bind(configuration.GetSection(CanaryOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CanaryOptions>, CanaryOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICanaryStore>(static provider =>
        {
            var options = provider.GetRequiredService<IOptions<CanaryOptions>>().Value;
            var time = provider.GetRequiredService<TimeProvider>();
            return options.Store == CanaryStoreKind.Redis
                ? new RedisCanaryStore(options.Redis.Configuration!, options.Redis.Timeout, options.Redis.KeyPrefix, time)
                : provider.GetService<InMemoryCanaryStore>() ?? new InMemoryCanaryStore(time);
        });
        services.AddHostedService<CanaryStoreFlusher>();
        return services;
    }
}

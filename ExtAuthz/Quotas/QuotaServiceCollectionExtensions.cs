using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.ExtAuthz.Quotas;

/// <summary>Registers the quota store the <c>Quotas</c> section chooses.</summary>
public static class QuotaServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates (at start) <see cref="QuotaOptions"/> from the <c>Quotas</c> section of
    /// <paramref name="configuration"/>, and registers <see cref="IQuotaStore"/> as a singleton:
    /// <see cref="InMemoryQuotaStore"/> or <see cref="RedisQuotaStore"/> (its
    /// multiplexer is created when the host starts, in the background, or on first use; it is disposed with the host).
    /// Registers <see cref="TimeProvider.System"/> unless a clock is already there.
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
        services.TryAddSingleton(static provider =>
            new InMemoryQuotaStore(provider.GetRequiredService<IOptions<QuotaOptions>>(), provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(static provider => new RedisQuotaStore(provider.GetRequiredService<IOptions<QuotaOptions>>()));
        services.TryAddSingleton<IQuotaStore>(static provider =>
            provider.GetRequiredService<IOptions<QuotaOptions>>().Value.Store == QuotaStoreKind.Redis
                ? provider.GetRequiredService<RedisQuotaStore>()
                : provider.GetRequiredService<InMemoryQuotaStore>());
        services.AddHostedService<RedisConnectionWarmup>();
        return services;
    }

    /// <summary>With the Redis store, starts its connection when the host starts (without waiting for it).</summary>
    private sealed class RedisConnectionWarmup(IOptions<QuotaOptions> options, IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (options.Value.Store == QuotaStoreKind.Redis)
            {
                services.GetRequiredService<RedisQuotaStore>().StartConnecting();
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.TokenBudgets;

/// <summary>Registers the token budget store the <c>TokenBudgets</c> section chooses.</summary>
public static class TokenBudgetServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates (at start) <see cref="TokenBudgetOptions"/> and registers <see cref="ITokenBudgetStore"/>:
    /// an <see cref="InMemoryTokenBudgetStore"/> already registered (<c>serve</c> shares one), a new one, or
    /// <see cref="RedisTokenBudgetStore"/>.
    /// </summary>
    public static IServiceCollection AddTokenBudgetStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TokenBudgetOptions>()
            .Bind(configuration.GetSection(TokenBudgetOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokenBudgetOptions>, TokenBudgetOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITokenBudgetStore>(static provider =>
        {
            var options = provider.GetRequiredService<IOptions<TokenBudgetOptions>>().Value;
            return options.Store == TokenBudgetStoreKind.Redis
                ? new RedisTokenBudgetStore(options.Redis.Configuration!, options.Redis.Timeout, options.Redis.KeyPrefix)
                : provider.GetService<InMemoryTokenBudgetStore>()
                    ?? new InMemoryTokenBudgetStore(provider.GetRequiredService<TimeProvider>(), options.MaxEntries);
        });
        return services;
    }
}

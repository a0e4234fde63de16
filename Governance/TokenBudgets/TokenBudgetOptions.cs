using System.ComponentModel.DataAnnotations;
using EnvoyGovern.Governance.State;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.TokenBudgets;

/// <summary>Where token counts are kept.</summary>
public enum TokenBudgetStoreKind
{
    /// <summary>In this process: ExtProc and ExtAuthz see the same counts only when they share it (<c>serve</c>).</summary>
    Memory = 0,

    /// <summary>In Redis: every replica of both services counts and reads one total.</summary>
    Redis = 1,
}

/// <summary>The <c>TokenBudgets</c> configuration section, read by both services.</summary>
public sealed class TokenBudgetOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "TokenBudgets";

    /// <summary><c>Memory</c> (default) or <c>Redis</c>.</summary>
    public TokenBudgetStoreKind Store { get; set; } = TokenBudgetStoreKind.Memory;

    /// <summary>Most counts the in-memory store keeps.</summary>
    [Range(1, 100_000_000)]
    public int MaxEntries { get; set; } = InMemoryTokenBudgetStore.DefaultMaxEntries;

    /// <summary>Settings of the Redis store.</summary>
    public RedisOptions Redis { get; set; } = new();

    /// <summary>The <c>TokenBudgets:Redis</c> section.</summary>
    public sealed class RedisOptions
    {
        /// <summary>Default of <see cref="KeyPrefix"/>.</summary>
        public const string DefaultKeyPrefix = "envoygovern:tokens:";

        /// <summary>StackExchange.Redis configuration string (may carry <c>password=</c>; never logged). Required for Redis.</summary>
        public string? Configuration { get; set; }

        /// <summary>Longest one call waits: a Check (ExtAuthz) or the end of an answer (ExtProc).</summary>
        [Range(typeof(TimeSpan), "00:00:00.001", "00:00:30")]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(50);

        /// <summary>Prefix of every key.</summary>
        [Required]
        [MinLength(1)]
        public string KeyPrefix { get; set; } = DefaultKeyPrefix;
    }
}

/// <summary>Validates <see cref="TokenBudgetOptions"/> at start, naming settings, never their values.</summary>
internal sealed class TokenBudgetOptionsValidator : IValidateOptions<TokenBudgetOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenBudgetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        SectionValidation.Annotations(options, TokenBudgetOptions.SectionName, failures);
        SectionValidation.Annotations(options.Redis, $"{TokenBudgetOptions.SectionName}:Redis", failures);
        if (options.Store == TokenBudgetStoreKind.Redis)
        {
            SectionValidation.RedisConfiguration(options.Redis.Configuration, "TokenBudgets:Redis:Configuration", "TokenBudgets:Store is Redis", failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using System.ComponentModel.DataAnnotations;

namespace EnvoyGovern.Governance.Canary;

/// <summary>Where canary outcomes and halts are kept.</summary>
public enum CanaryStoreKind
{
    /// <summary>In this process: enough for one replica, or for <c>serve</c> (both services in one process).</summary>
    Memory = 0,

    /// <summary>In Redis: ExtAuthz replicas read what every ExtProc replica wrote, and halt together.</summary>
    Redis = 1,
}

/// <summary>Settings of canary guardrails (section <c>Canary</c>), read by both services.</summary>
public sealed class CanaryOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Canary";

    /// <summary>How often ExtAuthz judges guardrails and takes in halts from other replicas.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><c>Memory</c> (default) or <c>Redis</c>.</summary>
    public CanaryStoreKind Store { get; set; } = CanaryStoreKind.Memory;

    /// <summary>Settings of the Redis store.</summary>
    public RedisOptions Redis { get; set; } = new();

    /// <summary>The <c>Canary:Redis</c> section.</summary>
    public sealed class RedisOptions
    {
        /// <summary>Default of <see cref="KeyPrefix"/>.</summary>
        public const string DefaultKeyPrefix = "envoygovern:canary:";

        /// <summary>
        /// StackExchange.Redis configuration string (may carry <c>password=</c>; it is never logged).
        /// Required when <see cref="CanaryOptions.Store"/> is Redis.
        /// </summary>
        public string? Configuration { get; set; }

        /// <summary>Longest one store call waits. Outcomes are written and read off the request path.</summary>
        [Range(typeof(TimeSpan), "00:00:00.001", "00:00:30")]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>Prefix of every key.</summary>
        [Required]
        [MinLength(1)]
        public string KeyPrefix { get; set; } = DefaultKeyPrefix;

        /// <summary>
        /// How often ExtProc writes the outcomes it counted: one Redis call per model, cluster and slot
        /// per interval, never one per response.
        /// </summary>
        [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
        public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);
    }
}

using System.ComponentModel.DataAnnotations;

namespace EnvoyGovern.ExtAuthz.Quotas;

/// <summary>Where token buckets are kept.</summary>
public enum QuotaStoreKind
{
    /// <summary>In this process: each replica has its own budget.</summary>
    Memory = 0,

    /// <summary>In Redis: all replicas share one budget.</summary>
    Redis = 1,
}

/// <summary>The <c>Quotas</c> configuration section.</summary>
public sealed class QuotaOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Quotas";

    /// <summary><c>Memory</c> (default) or <c>Redis</c>.</summary>
    public QuotaStoreKind Store { get; set; } = QuotaStoreKind.Memory;

    /// <summary>Settings of the in-memory store.</summary>
    public MemoryOptions Memory { get; set; } = new();

    /// <summary>Settings of the Redis store.</summary>
    public RedisOptions Redis { get; set; } = new();

    /// <summary>The <c>Quotas:Memory</c> section.</summary>
    public sealed class MemoryOptions
    {
        /// <summary>Default of <see cref="MaxBuckets"/>.</summary>
        public const int DefaultMaxBuckets = 100_000;

        /// <summary>Default of <see cref="SweepInterval"/>.</summary>
        public static readonly TimeSpan DefaultSweepInterval = TimeSpan.FromSeconds(30);

        /// <summary>Most buckets kept at once (roughly 150 bytes each plus the key).</summary>
        [Range(1, 100_000_000)]
        public int MaxBuckets { get; set; } = DefaultMaxBuckets;

        /// <summary>How often buckets that are full again are dropped.</summary>
        [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
        public TimeSpan SweepInterval { get; set; } = DefaultSweepInterval;
    }

    /// <summary>The <c>Quotas:Redis</c> section.</summary>
    public sealed class RedisOptions
    {
        /// <summary>Default of <see cref="Timeout"/>.</summary>
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(50);

        /// <summary>Default of <see cref="KeyPrefix"/>.</summary>
        public const string DefaultKeyPrefix = "envoygovern:quota:";

        /// <summary>
        /// StackExchange.Redis configuration string, such as <c>127.0.0.1:6379,abortConnect=false</c>
        /// (may carry <c>password=</c>; it is never logged). Required when <see cref="QuotaOptions.Store"/> is Redis.
        /// </summary>
        public string? Configuration { get; set; }

        /// <summary>Longest a Check waits for Redis; past it the quota step reports the store unavailable.</summary>
        [Range(typeof(TimeSpan), "00:00:00.001", "00:00:30")]
        public TimeSpan Timeout { get; set; } = DefaultTimeout;

        /// <summary>Prefix of every bucket key; the bucket name follows in braces (a cluster hash tag).</summary>
        [Required]
        [MinLength(1)]
        public string KeyPrefix { get; set; } = DefaultKeyPrefix;
    }
}

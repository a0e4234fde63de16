using System.ComponentModel.DataAnnotations;

namespace EnvoyGovern.Governance.Audit.Delivery;

/// <summary>Where audit records go.</summary>
public enum AuditSinkKind
{
    /// <summary>Straight to stdout (the default pipeline; a log shipper such as Filebeat takes it from there).</summary>
    Stdout,

    /// <summary>Through the write-ahead log to rotating NDJSON files.</summary>
    File,

    /// <summary>Through the write-ahead log to an Elasticsearch data stream.</summary>
    Elasticsearch,
}

/// <summary>What the request path does when the write-ahead log has no room within its budget.</summary>
public enum AuditOverflowPolicy
{
    /// <summary>Wait up to <see cref="AuditDeliveryOptions.BlockBudget"/>, then fail the decision closed.</summary>
    Block,

    /// <summary>Drop the record at once (counted and logged) and let the decision proceed.</summary>
    Drop,
}

/// <summary>When appended data is forced to the disk.</summary>
public enum AuditFsyncPolicy
{
    /// <summary>Every record before its write is acknowledged: survives power loss, costs an fsync per record.</summary>
    Always,

    /// <summary>
    /// Every <see cref="AuditDeliveryOptions.FsyncInterval"/>: a record is in the page cache when acknowledged, so it
    /// survives a process crash; power loss may cost the last interval.
    /// </summary>
    Interval,
}

/// <summary>Durable audit delivery (configuration section <c>Audit</c>).</summary>
public sealed class AuditDeliveryOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Audit";

    /// <summary>The destination. <see cref="AuditSinkKind.Stdout"/> keeps the default stdout pipeline.</summary>
    public AuditSinkKind Sink { get; set; } = AuditSinkKind.Stdout;

    /// <summary>
    /// Directory of the write-ahead log (segments, committed offset, dead letters). Must be persistent, and belongs
    /// to one process: two writers in one directory would interleave segments (nothing locks it yet).
    /// </summary>
    public string QueueDirectory { get; set; } = "/var/lib/envoygovern/audit";

    /// <summary>Disk budget of the write-ahead log; past it the overflow policy applies.</summary>
    [Range(1024L * 1024, 1024L * 1024 * 1024 * 1024)]
    public long MaxQueueBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Size at which a segment file is closed and the next begins. Space is reclaimed per segment.</summary>
    [Range(64L * 1024, 1024L * 1024 * 1024)]
    public long SegmentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Largest single record accepted.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxRecordBytes { get; set; } = 1024 * 1024;

    /// <summary>When appends are forced to disk.</summary>
    public AuditFsyncPolicy Fsync { get; set; } = AuditFsyncPolicy.Interval;

    /// <summary>Period of the background fsync under <see cref="AuditFsyncPolicy.Interval"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan FsyncInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>What happens when the disk budget is exhausted.</summary>
    public AuditOverflowPolicy Overflow { get; set; } = AuditOverflowPolicy.Block;

    /// <summary>Longest the request path waits for room under <see cref="AuditOverflowPolicy.Block"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan BlockBudget { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Most records sent to the sink in one batch.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Most bytes of records in one batch (a single larger record still goes alone).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBatchBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>How long one sink call may take before it counts as a transient failure.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan SinkTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First retry delay after a failed batch; doubles per attempt, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Cap of the retry delay. Retries never stop: giving up would lose records.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Rotating-file sink settings (for <see cref="AuditSinkKind.File"/>).</summary>
    public FileAuditSinkOptions File { get; set; } = new();

    /// <summary>Elasticsearch sink settings (for <see cref="AuditSinkKind.Elasticsearch"/>).</summary>
    public ElasticsearchAuditSinkOptions Elasticsearch { get; set; } = new();
}

/// <summary>Rotating NDJSON files (section <c>Audit:File</c>).</summary>
public sealed class FileAuditSinkOptions
{
    /// <summary>Directory of the audit files.</summary>
    public string Directory { get; set; } = "/var/log/envoygovern/audit";

    /// <summary>File name prefix; files are <c>{prefix}-{yyyyMMddTHHmmss}-{n}.ndjson</c>.</summary>
    [RegularExpression("^[A-Za-z0-9_.-]{1,64}$", MatchTimeoutInMilliseconds = 100)]
    public string FilePrefix { get; set; } = "audit";

    /// <summary>Size at which the active file is closed and a new one begins.</summary>
    [Range(64L * 1024, 64L * 1024 * 1024 * 1024)]
    public long MaxFileBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Age at which the active file is closed and a new one begins.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "31.00:00:00")]
    public TimeSpan RollInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many files are kept, the active one included; older ones are deleted.</summary>
    [Range(1, 100_000)]
    public int RetainedFiles { get; set; } = 48;

    /// <summary>Force each written batch to disk before it is acknowledged (and the queue advances).</summary>
    public bool FsyncEachBatch { get; set; } = true;
}

/// <summary>Elasticsearch data stream (section <c>Audit:Elasticsearch</c>).</summary>
public sealed class ElasticsearchAuditSinkOptions
{
    /// <summary>Cluster address, for example <c>https://elasticsearch:9200</c>.</summary>
    public Uri? Url { get; set; }

    /// <summary>Target data stream; matches the shipped index template's pattern <c>logs-envoygovern.audit-*</c>.</summary>
    [RegularExpression("^logs-envoygovern\\.audit-[a-z0-9_.]{1,100}$", MatchTimeoutInMilliseconds = 100)]
    public string DataStream { get; set; } = "logs-envoygovern.audit-default";

    /// <summary>API key (base64 "id:key" form) for authentication; empty: none or basic auth.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Basic-auth user name.</summary>
    public string? Username { get; set; }

    /// <summary>Basic-auth password.</summary>
    public string? Password { get; set; }

    /// <summary>SHA-256 fingerprint of the cluster's CA certificate, for self-signed clusters.</summary>
    public string? CertificateFingerprint { get; set; }

    /// <summary>Index template file to install at start (<c>envoy-config/elk/index-template.json</c>); empty: not installed.</summary>
    public string? IndexTemplateFile { get; set; }
}

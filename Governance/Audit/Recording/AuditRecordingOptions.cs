using System.ComponentModel.DataAnnotations;

namespace EnvoyGovern.Governance.Audit.Recording;

/// <summary>How audit records are produced and chained (configuration section <c>Audit</c>).</summary>
public sealed class AuditRecordingOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Audit";

    /// <summary>
    /// The longest a request waits for its audit record to be accepted (written to stdout, or queued by a
    /// durable pipeline). Past it the request fails closed with UNAVAILABLE.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan WriteBudget { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Records the stdout pipeline holds while stdout is slow, before it refuses more (fail closed).</summary>
    [Range(16, 1_000_000)]
    public int StdoutCapacity { get; set; } = 10_000;

    /// <summary>
    /// Request headers copied into <c>envoygovern.http.request.headers</c> (lower-case names). Credentials
    /// and cookies are refused at start even when listed: they never reach an audit record.
    /// </summary>
    public IList<string> Headers { get; } = [];

    /// <summary>Query parameters whose values are replaced by <c>REDACTED</c>, on top of the built-in secret names.</summary>
    public IList<string> RedactQueryParameters { get; } = [];

    /// <summary>Signed checkpoints (<c>Audit:Checkpoint</c>).</summary>
    public AuditCheckpointOptions Checkpoint { get; set; } = new();
}

/// <summary>Signed checkpoints: a record every <see cref="Every"/> records or <see cref="Interval"/>, whichever comes first.</summary>
public sealed class AuditCheckpointOptions
{
    /// <summary>
    /// File with the HMAC-SHA256 key (at least 32 bytes, typically a mounted Secret). Without it no checkpoints
    /// are written and the chain alone shows changes (a start-up warning says so).
    /// </summary>
    public string? KeyFile { get; set; }

    /// <summary>Key id written into checkpoints; defaults to the first 16 hex digits of the key's SHA-256.</summary>
    public string? KeyId { get; set; }

    /// <summary>A checkpoint after this many records.</summary>
    [Range(1, 10_000_000)]
    public int Every { get; set; } = 1000;

    /// <summary>A checkpoint at least this often while records are written.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);
}

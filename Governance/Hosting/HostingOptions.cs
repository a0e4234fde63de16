using System.ComponentModel.DataAnnotations;

namespace EnvoyGovern.Governance.Hosting;

/// <summary>Process-level settings shared by both services (configuration section <c>Hosting</c>).</summary>
public sealed class HostingOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Hosting";

    /// <summary>How long SIGTERM waits for calls in flight before the process exits.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After SIGTERM, how long to keep serving while reporting NOT_SERVING, so that load balancers stop
    /// sending calls before the listeners close. Part of <see cref="ShutdownTimeout"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan DrainDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Largest gRPC message accepted; larger ones fail with RESOURCE_EXHAUSTED, never buffer unbounded.</summary>
    [Range(64 * 1024, 64 * 1024 * 1024)]
    public int MaxReceiveMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest gRPC message sent.</summary>
    [Range(64 * 1024, 64 * 1024 * 1024)]
    public int MaxSendMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// PEM file of the certificate authorities that client certificates must chain to when an endpoint
    /// requires them (mTLS). Empty: the system trust store decides.
    /// </summary>
    public string? ClientCaFile { get; set; }

    /// <summary>Expose gRPC server reflection (useful for grpcurl; harmless, reveals only public API).</summary>
    public bool EnableReflection { get; set; } = true;
}

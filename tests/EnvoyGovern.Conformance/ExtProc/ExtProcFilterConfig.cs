using Envoy.Config.Common.MutationRules.V3;
using Envoy.Extensions.Filters.Http.ExtProc.V3;

namespace EnvoyGovern.Conformance.ExtProc;

/// <summary>
/// The parts of Envoy's <c>ExternalProcessor</c> filter config that change what the filter sends
/// and accepts. Defaults are Envoy's.
/// </summary>
public sealed record ExtProcFilterConfig
{
    /// <summary><c>processing_mode</c>; the default sends request and response headers only.</summary>
    public ProcessingMode ProcessingMode { get; init; } = new();

    /// <summary><c>allow_mode_override</c>: honour <c>mode_override</c> in headers responses.</summary>
    public bool AllowModeOverride { get; init; }

    /// <summary><c>send_body_without_waiting_for_header_response</c> (STREAMED only).</summary>
    public bool SendBodyWithoutWaitingForHeaderResponse { get; init; }

    /// <summary><c>observability_mode</c>; the driver only models false.</summary>
    public bool ObservabilityMode { get; init; }

    /// <summary><c>mutation_rules</c>; null means Envoy's defaults.</summary>
    public HeaderMutationRules? MutationRules { get; init; }

    /// <summary>The connection/route buffer limit that BUFFERED and BUFFERED_PARTIAL use (Envoy default 1 MiB).</summary>
    public int BufferLimitBytes { get; init; } = 1024 * 1024;

    /// <summary><c>message_timeout</c> (default 200 ms); expiry gives 504.</summary>
    public TimeSpan MessageTimeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary><c>max_message_timeout</c>; zero (the default) makes Envoy ignore every <c>override_message_timeout</c>.</summary>
    public TimeSpan MaxMessageTimeout { get; init; } = TimeSpan.Zero;

    /// <summary><c>failure_mode_allow</c>: errors and spurious messages let the request through unprocessed.</summary>
    public bool FailureModeAllow { get; init; }

    /// <summary>
    /// Harness-only: FULL_DUPLEX_STREAMED has no message timer in Envoy, so the driver gives up after
    /// this long without a message instead of hanging.
    /// </summary>
    public TimeSpan FullDuplexIdleTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

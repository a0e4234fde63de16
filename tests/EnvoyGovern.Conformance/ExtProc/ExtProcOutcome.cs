using Envoy.Service.ExtProc.V3;

namespace EnvoyGovern.Conformance.ExtProc;

/// <summary>What came of one exchange driven through the processor.</summary>
public sealed record ExtProcOutcome
{
    /// <summary>Request headers the upstream would see (or did, up to the point processing stopped).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> RequestHeaders { get; init; } = [];

    /// <summary>Request body the upstream would see.</summary>
    public ReadOnlyMemory<byte> RequestBody { get; init; }

    /// <summary>Request trailers the upstream would see; null when none.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? RequestTrailers { get; init; }

    /// <summary>Response headers the client would see (the local reply's when Envoy answered itself).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders { get; init; } = [];

    /// <summary>Response body the client would see.</summary>
    public ReadOnlyMemory<byte> ResponseBody { get; init; }

    /// <summary>Response trailers the client would see; null when none.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? ResponseTrailers { get; init; }

    /// <summary>Every message in stream order.</summary>
    public IReadOnlyList<ExtProcTranscriptEntry> Transcript { get; init; } = [];

    /// <summary>The processor's immediate_response, if it sent one.</summary>
    public ImmediateResponse? ImmediateResponse { get; init; }

    /// <summary>The status of a reply Envoy generated itself (immediate response, 413, 500, 504); null otherwise.</summary>
    public int? LocalReplyStatus { get; init; }

    /// <summary>False when the request never reached the upstream.</summary>
    public bool RequestForwardedUpstream { get; init; }

    /// <summary>Everything the processor did that Envoy rejects, ignores or misreads.</summary>
    public IReadOnlyList<ConformanceViolation> Violations { get; init; } = [];

    /// <summary>True when the processor ended the stream with a non-OK gRPC status.</summary>
    public bool StreamEndedWithError { get; init; }

    /// <summary>The gRPC status the stream ended with, when it ended before the driver stopped reading.</summary>
    public Grpc.Core.Status? StreamStatus { get; init; }
}

using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;

namespace EnvoyGovern.Protos.Compat;

/// <summary>
/// One ext_proc <see cref="ProcessingRequest"/> as the ExternalProcessor service reads it
/// (<see cref="ProcessingRequestReader"/>). A headers message (every stream's first) is held as its parts: the header
/// map, <c>end_of_stream</c>, <c>observability_mode</c> and the already-parsed <c>protocol_config</c>. Any other message is the generated
/// parser's <see cref="Request"/>.
/// </summary>
/// <remarks>
/// Why not the generated message throughout: building one, and its <c>HttpHeaders</c>, allocates an
/// <c>attributes</c> map each (a dictionary and a linked list, ~150 B each, even when empty), and <c>protocol_config</c>, unknown to the pinned protos, has to go into its
/// unknown-field set (~450 B and ~0.65 µs per stream) only to be serialised back and read again.
/// </remarks>
public sealed class ProcessingMessage
{
    private readonly ProtocolConfiguration? _protocolConfig;

    /// <summary>A headers message read in place.</summary>
    internal ProcessingMessage(ProcessingRequest.RequestOneofCase headersCase, HeaderMap? headers, bool endOfStream, bool observabilityMode, ProtocolConfiguration? protocolConfig)
    {
        RequestCase = headersCase;
        Headers = headers;
        EndOfStream = endOfStream;
        ObservabilityMode = observabilityMode;
        _protocolConfig = protocolConfig;
    }

    /// <summary>A message the generated parser read (or a client built).</summary>
    public ProcessingMessage(ProcessingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Request = request;
        RequestCase = request.RequestCase;
        var headers = request.RequestCase switch
        {
            ProcessingRequest.RequestOneofCase.RequestHeaders => request.RequestHeaders,
            ProcessingRequest.RequestOneofCase.ResponseHeaders => request.ResponseHeaders,
            _ => null,
        };
        Headers = headers?.Headers;
        EndOfStream = headers?.EndOfStream ?? false;
        ObservabilityMode = request.ObservabilityMode;
    }

    /// <summary>Which of the request's oneof fields is set.</summary>
    public ProcessingRequest.RequestOneofCase RequestCase { get; }

    /// <summary>
    /// The <c>headers</c> of <c>request_headers</c> or <c>response_headers</c>, whichever <see cref="RequestCase"/>
    /// names; null for other messages or when Envoy sent none.
    /// </summary>
    public HeaderMap? Headers { get; }

    /// <summary>The headers message's <c>end_of_stream</c> (false for other messages).</summary>
    public bool EndOfStream { get; }

    /// <summary><c>observability_mode</c>: Envoy ignores any answer.</summary>
    public bool ObservabilityMode { get; }

    /// <summary>The generated message, for everything but a headers message read in place (bodies, trailers, attributes...).</summary>
    public ProcessingRequest? Request { get; }

    /// <summary><c>protocol_config</c>, which Envoy sends in a stream's first message only; null when absent.</summary>
    /// <remarks>For a generated <see cref="Request"/> it is read from its unknown fields on each call, as before.</remarks>
    public ProtocolConfiguration? ReadProtocolConfig() => Request is { } request ? ExtProcWire.ReadProtocolConfig(request) : _protocolConfig;

    /// <summary>The message as the generated type, for writing it (a client's marshaller); not used while serving.</summary>
    public ProcessingRequest ToRequest()
    {
        if (Request is { } request)
        {
            return request;
        }

        var headers = new HttpHeaders { Headers = Headers, EndOfStream = EndOfStream };
        var built = new ProcessingRequest { ObservabilityMode = ObservabilityMode };
        if (RequestCase == ProcessingRequest.RequestOneofCase.ResponseHeaders)
        {
            built.ResponseHeaders = headers;
        }
        else
        {
            built.RequestHeaders = headers;
        }

        return _protocolConfig is { } config ? ExtProcWire.WithProtocolConfig(built, config) : built;
    }
}

using EnvoyGovern.ExtProc.Inspection;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.ExtProc.Processing;

/// <summary>Where one direction (request or response) of the exchange stands.</summary>
internal enum DirectionStage
{
    /// <summary>Nothing received yet (headers may be skipped, so a body or trailers may come first).</summary>
    Idle = 0,

    /// <summary>Headers received, more to come.</summary>
    Headers,

    /// <summary>At least one body chunk received, more to come.</summary>
    Body,

    /// <summary>The direction ended: end_of_stream seen, or trailers received.</summary>
    Done,
}

/// <summary>
/// The state of one direction. Envoy sends headers, then body chunks, then trailers, each optional;
/// the last part carries end_of_stream, except that trailers end a body whose chunks never do.
/// </summary>
internal sealed class DirectionState(HttpDirection direction)
{
    public HttpDirection Direction { get; } = direction;

    public DirectionStage Stage { get; private set; }

    /// <summary>The body mode as far as the session knows (protocol_config, then any mode_override sent).</summary>
    public BodySendMode BodyMode { get; set; }

    public bool IsFullDuplex => BodyMode == Protos.Compat.ExtProcWire.FullDuplexStreamed;

    /// <summary>True once a body chunk arrived without end_of_stream and the inspectors were not told the body ended.</summary>
    public bool BodyOpen => Stage == DirectionStage.Body && !BodyDelivered;

    /// <summary>
    /// True when the inspectors already had the whole body although Envoy did not say end_of_stream
    /// (BUFFERED with trailers following, BUFFERED_PARTIAL): the trailers do not end it a second time.
    /// </summary>
    public bool BodyDelivered { get; set; }

    /// <summary>True once this direction's headers went on (for the response: the client may have started receiving it).</summary>
    public bool Released { get; set; }

    /// <summary>True after a rejection could only cut the body short: every later chunk is answered empty.</summary>
    public bool Stopped { get; set; }

    /// <summary>True when Envoy sends this body in one message (the whole body, or as much as fits).</summary>
    public bool IsBuffered => BodyMode is BodySendMode.Buffered or BodySendMode.BufferedPartial;

    public string? AcceptHeaders(bool endOfStream)
    {
        if (Stage != DirectionStage.Idle)
        {
            return $"{Name} headers received twice, or after the {Name} body";
        }

        Stage = endOfStream ? DirectionStage.Done : DirectionStage.Headers;
        return null;
    }

    public string? AcceptBody(bool endOfStream)
    {
        if (Stage == DirectionStage.Done)
        {
            return $"{Name} body chunk received after the {Name} ended (end_of_stream or trailers)";
        }

        Stage = endOfStream ? DirectionStage.Done : DirectionStage.Body;
        return null;
    }

    public string? AcceptTrailers()
    {
        if (Stage == DirectionStage.Done)
        {
            return $"{Name} trailers received after the {Name} ended";
        }

        Stage = DirectionStage.Done;
        return null;
    }

    private string Name => Direction == HttpDirection.Request ? "request" : "response";
}

using Envoy.Config.Core.V3;
using EnvoyGovern.ExtProc.Inspection.Bodies;
using EnvoyGovern.Governance.Envoy;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.ExtProc.Inspection;

/// <summary>
/// One direction's body as the chain sees it: what its headers announce, how Envoy delivers it, and what
/// the inspectors asked for on headers (<see cref="Require"/>). When some inspector requires the body,
/// the chain decodes it (gzip, deflate, br) within a limit, and, if asked, hands it over whole.
/// </summary>
public sealed class BodyInfo
{
    internal BodyInfo(HttpDirection direction, long limit)
    {
        Direction = direction;
        Limit = limit;
    }

    /// <summary>Request or response.</summary>
    public HttpDirection Direction { get; }

    /// <summary>The <c>content-type</c> header, if any.</summary>
    public string? ContentType { get; internal set; }

    /// <summary>The format the content type announces.</summary>
    public BodyKind Kind { get; internal set; }

    /// <summary>The <c>content-encoding</c>.</summary>
    public ContentCoding Coding { get; internal set; }

    /// <summary>The <c>content-length</c> header, if any.</summary>
    public long? DeclaredLength { get; internal set; }

    /// <summary>True once headers arrived without end_of_stream: a body (or trailers) follows.</summary>
    public bool Expected { get; internal set; }

    /// <summary>How Envoy sends this body (its configuration, then any mode override sent).</summary>
    public BodySendMode Mode { get; internal set; }

    /// <summary>Body bytes received from Envoy so far, before decoding.</summary>
    public long ReceivedBytes { get; internal set; }

    /// <summary>Body messages received so far.</summary>
    public int Messages { get; internal set; }

    /// <summary>
    /// True when Envoy sent only the start of the body (BUFFERED_PARTIAL over its buffer limit): the rest
    /// passes uninspected. Decided at the end of the first message, from <c>content-length</c> when known.
    /// </summary>
    public bool Truncated { get; internal set; }

    /// <summary>True when an inspector required this body on headers.</summary>
    public bool Inspected { get; private set; }

    /// <summary>Inspectors see the whole decoded body once, at its end, instead of chunk by chunk.</summary>
    public bool WholeBody { get; private set; }

    /// <summary>
    /// An inspector may replace the body. A streamed encoded body is then encoded again chunk by chunk
    /// from the first chunk on, so the stream stays one valid encoding.
    /// </summary>
    public bool MayChange { get; private set; }

    /// <summary>The most decoded bytes kept for inspection; more gets 413 (request) or 502 (response).</summary>
    public long Limit { get; private set; }

    internal Bodies.BodyPipeline? Pipeline { get; set; }

    /// <summary>Asks the chain for this body (call it on headers). Several inspectors combine: the strictest limit wins.</summary>
    public void Require(bool wholeBody, bool mayChange, long? limit = null)
    {
        Inspected = true;
        WholeBody |= wholeBody;
        MayChange |= mayChange;
        if (limit is { } l && l < Limit)
        {
            Limit = l;
        }
    }

    /// <summary>Marks the body as inspected without a requirement (an inspector asked for a body mode).</summary>
    internal void MarkInspected() => Inspected = true;

    /// <summary>Takes what the headers announce about the body.</summary>
    internal void ObserveHeaders(HeaderMap headers, bool endOfStream)
    {
        Expected = !endOfStream;
        // By index: RepeatedField's enumerator is an allocation per loop.
        var all = headers.Headers;
        for (var i = 0; i < all.Count; i++)
        {
            var header = all[i];
            switch (header.Key)
            {
                case "content-type":
                    ContentType = header.Text();
                    Kind = MediaTypes.Classify(ContentType);
                    break;
                case "content-encoding":
                    Coding = ContentCodings.Parse(header.Text());
                    break;
                case "content-length":
                    DeclaredLength = long.TryParse(header.Text(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length) ? length : null;
                    break;
            }
        }
    }

    /// <summary>Counts a body message; in BUFFERED_PARTIAL, tells whether Envoy cut the body.</summary>
    internal void ObserveMessage(int length, bool endOfStream)
    {
        Messages++;
        ReceivedBytes += length;
        if (Mode == BodySendMode.BufferedPartial && !endOfStream && DeclaredLength != ReceivedBytes)
        {
            // Without end_of_stream the rest passes uninspected, unless content-length shows it all
            // arrived (trailers follow). Without content-length the body counts as cut: fail closed.
            Truncated = true;
        }
    }
}

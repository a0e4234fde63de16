using Envoy.Extensions.Filters.Http.ExtProc.V3;
using HeaderMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.HeaderSendMode;

namespace EnvoyGovern.Conformance.ExtProc.Driver;

/// <summary>Direction of traffic through the filter.</summary>
internal enum Direction
{
    Request,
    Response,
}

/// <summary>
/// The live processing mode of one stream. Headers default to SEND and trailers to SKIP
/// (<c>setProcessingModeInternal</c>).
/// </summary>
internal sealed class ModeState(ProcessingMode mode)
{
    private ProcessingMode _mode = mode.Clone();

    public bool SendHeaders(Direction d) =>
        (d == Direction.Request ? _mode.RequestHeaderMode : _mode.ResponseHeaderMode) != HeaderMode.Skip;

    public bool SendTrailers(Direction d) =>
        (d == Direction.Request ? _mode.RequestTrailerMode : _mode.ResponseTrailerMode) == HeaderMode.Send;

    public ProcessingMode.Types.BodySendMode Body(Direction d) =>
        d == Direction.Request ? _mode.RequestBodyMode : _mode.ResponseBodyMode;

    // request_header_mode of an override is meaningless (the request headers were already sent).
    public void Override(ProcessingMode overrideMode)
    {
        var next = overrideMode.Clone();
        next.RequestHeaderMode = _mode.RequestHeaderMode;
        _mode = next;
    }
}

using System.Globalization;

namespace EnvoyGovern.Conformance.ExtProc.Driver;

/// <summary>Closing the stream and assembling what upstream and downstream saw.</summary>
internal sealed partial class ExtProcRun
{
    /// <summary>
    /// Half-closes the stream, as Envoy does when it needs nothing more, and reads what is left: a
    /// correct processor then ends the call; any further message is one Envoy did not ask for.
    /// </summary>
    public async Task FinishAsync()
    {
        await _stream.CompleteAsync();
        if (_streamError)
        {
            return;
        }

        while (true)
        {
            var read = await _stream.ReadAsync(_config.MessageTimeout);
            if (read.Kind == ReadKind.Message)
            {
                _stream.Transcript.Add(new(null, read.Message));
                if (_immediate is null && !_complete)
                {
                    _violations.Add(new(ExtProcRuleIds.SpuriousMessage,
                        $"Extra {read.Message!.ResponseCase} message after every message was answered; Envoy counts it as spurious."));
                }

                continue;
            }

            _streamError = read.Kind == ReadKind.Error;
            return;
        }
    }

    public ExtProcOutcome Outcome(DirectionData request, DirectionData? response) => new()
    {
        RequestHeaders = request.Headers.Items,
        RequestBody = request.Body,
        RequestTrailers = request.Trailers?.Items,
        ResponseHeaders = response?.Headers.Items ?? LocalReplyHeaders(),
        ResponseBody = response?.Body ?? LocalReplyBody(),
        ResponseTrailers = response?.Trailers?.Items,
        Transcript = _stream.Transcript,
        ImmediateResponse = _immediate,
        LocalReplyStatus = _localReplyStatus,
        RequestForwardedUpstream = !RequestStopped,
        Violations = _violations,
        StreamEndedWithError = _streamError,
        StreamStatus = _stream.EndStatus,
    };

    /// <summary>True when the local reply happened while the request was still being processed.</summary>
    public bool RequestStopped { get; set; }

    private IReadOnlyList<KeyValuePair<string, string>> LocalReplyHeaders()
    {
        var headers = new HeaderBlock([new(":status", (_localReplyStatus ?? 200).ToString(CultureInfo.InvariantCulture))]);
        var body = LocalReplyBody();
        if (body.Length > 0)
        {
            headers.Set("content-length", body.Length.ToString(CultureInfo.InvariantCulture));
            headers.Set("content-type", "text/plain");
        }

        if (_immediate?.Headers is { } mutation)
        {
            headers.Apply(mutation, _checker, replacing: false, stripContentLength: false);
        }

        return headers.Items;
    }

    private ReadOnlyMemory<byte> LocalReplyBody() =>
        _immediate is not null ? _immediate.Body.ToByteArray() : ReadOnlyMemory<byte>.Empty;
}

using Envoy.Service.ExtProc.V3;
using EnvoyGovern.Conformance.Wire;
using Mode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;
using Status = Envoy.Service.ExtProc.V3.CommonResponse.Types.ResponseStatus;

namespace EnvoyGovern.Conformance.ExtProc.Driver;

/// <summary>Headers and trailers of one direction, and the order of its phases.</summary>
internal sealed partial class ExtProcRun
{
    /// <summary>Runs one direction; false when the exchange ended in a local reply.</summary>
    public async Task<bool> RunDirectionAsync(DirectionData data)
    {
        var d = data.Direction;
        if (!_complete && _modes.Body(d) == ExtProcWire.FullDuplexStreamed)
        {
            await RunDuplexAsync(data);
        }
        else if (!_complete && _modes.Body(d) == Mode.Streamed && _config.SendBodyWithoutWaitingForHeaderResponse
            && _modes.SendHeaders(d) && data.Chunks.Count > 0)
        {
            await RunEagerStreamedAsync(data);
        }
        else
        {
            await RunSequentialAsync(data);
        }

        data.PassRemaining();
        data.HeadersReleased = true;
        return !Terminated;
    }

    private async Task RunSequentialAsync(DirectionData data)
    {
        var d = data.Direction;
        if (!_complete && _modes.SendHeaders(d))
        {
            var endOfStream = data.Chunks.Count == 0 && data.Trailers is null;
            var answer = await ExchangeAsync(data.HeadersMessage(endOfStream), () => Context(data, HeadersKind(d)));
            if (answer is null)
            {
                return;
            }

            ApplyHeadersAnswer(data, answer);
        }

        // Without a body worth inspecting (or when the processor wants none), headers go on now.
        data.HeadersReleased = !_modes.SendHeaders(d) || data.Chunks.Count == 0
            || _modes.Body(d) is not (Mode.Buffered or Mode.BufferedPartial);
        if (!_complete && !data.Replaced && data.Chunks.Count > 0 && _modes.Body(d) != Mode.None && !await RunBodyAsync(data))
        {
            return;
        }

        data.PassRemaining();
        data.HeadersReleased = true;
        await RunTrailersAsync(data);
    }

    private async Task RunTrailersAsync(DirectionData data)
    {
        if (_complete || Terminated || data.Replaced || data.Trailers is null || !_modes.SendTrailers(data.Direction))
        {
            return;
        }

        var kind = data.Direction == Direction.Request ? ProcessingRequest.RequestOneofCase.RequestTrailers : ProcessingRequest.RequestOneofCase.ResponseTrailers;
        var answer = await ExchangeAsync(data.TrailersMessage(), () => Context(data, kind));
        ApplyTrailersAnswer(data, answer);
    }

    private void ApplyTrailersAnswer(DirectionData data, ProcessingResponse? answer)
    {
        var mutation = (answer?.RequestTrailers ?? answer?.ResponseTrailers)?.HeaderMutation;
        if (mutation is not null)
        {
            data.Trailers!.Apply(mutation, _checker, replacing: false, stripContentLength: false);
        }
    }

    private void ApplyHeadersAnswer(DirectionData data, ProcessingResponse answer)
    {
        if (answer.ModeOverride is not null && ModeOverrideHonoured())
        {
            _modes.Override(answer.ModeOverride);
        }

        var common = (answer.RequestHeaders ?? answer.ResponseHeaders).Response;
        if (common is null)
        {
            return;
        }

        var replacing = common.Status == Status.ContinueAndReplace;
        if (common.HeaderMutation is not null)
        {
            data.Headers.Apply(common.HeaderMutation, _checker, replacing, StripsContentLength(data.Direction));
        }

        if (!replacing)
        {
            return;
        }

        // CONTINUE_AND_REPLACE: the body (if any is given) replaces the whole body, and nothing more
        // of this direction goes to the processor (body mode NONE, trailers not sent).
        data.Replaced = true;
        if (common.BodyMutation is not null)
        {
            data.Headers.Remove("content-length");
            data.ReplaceBody(Mutate(common.BodyMutation, ReadOnlySpan<byte>.Empty));
        }
    }

    private bool ModeOverrideHonoured() =>
        _config.AllowModeOverride && !_config.SendBodyWithoutWaitingForHeaderResponse
        && _config.ProcessingMode.RequestBodyMode != ExtProcWire.FullDuplexStreamed
        && _config.ProcessingMode.ResponseBodyMode != ExtProcWire.FullDuplexStreamed;

    private bool StripsContentLength(Direction d) =>
        _modes.Body(d) is Mode.Streamed or Mode.BufferedPartial || _modes.Body(d) == ExtProcWire.FullDuplexStreamed;

    private ExtProcMessageContext Context(DirectionData data, ProcessingRequest.RequestOneofCase kind, bool headersHeld = false) => new(
        _config,
        kind,
        _modes.Body(data.Direction),
        headersHeld ? data.Headers.Items.ToList() : null,
        data.Direction == Direction.Response && data.HeadersReleased);

    private static ProcessingRequest.RequestOneofCase HeadersKind(Direction d) =>
        d == Direction.Request ? ProcessingRequest.RequestOneofCase.RequestHeaders : ProcessingRequest.RequestOneofCase.ResponseHeaders;

    private static ProcessingRequest.RequestOneofCase BodyKind(Direction d) =>
        d == Direction.Request ? ProcessingRequest.RequestOneofCase.RequestBody : ProcessingRequest.RequestOneofCase.ResponseBody;

    private static byte[] Mutate(BodyMutation? mutation, ReadOnlySpan<byte> original) => mutation?.MutationCase switch
    {
        BodyMutation.MutationOneofCase.Body => mutation.Body.ToByteArray(),
        BodyMutation.MutationOneofCase.ClearBodyChunk when mutation.ClearBodyChunk => [],
        _ => original.ToArray(),
    };
}

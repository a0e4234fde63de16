using Envoy.Service.ExtProc.V3;
using Grpc.Core;

namespace EnvoyGovern.Conformance.ExtProc.Driver;

/// <summary>The result of waiting for one message.</summary>
internal enum ReadKind
{
    Message,
    Closed,
    Error,
    Timeout,
}

/// <summary>One read from the processor.</summary>
internal readonly record struct StreamRead(ReadKind Kind, ProcessingResponse? Message, Status? Status);

/// <summary>
/// The gRPC stream as the driver sees it. A timed-out read is not cancelled (that would cancel the
/// whole call): the pending read is kept and reused, as Envoy keeps its stream open while it waits.
/// </summary>
internal sealed class ProcessorStream(AsyncDuplexStreamingCall<ProcessingRequest, ProcessingResponse> call) : IDisposable
{
    private Task<bool>? _pendingRead;
    private bool _writesBroken;

    public List<ExtProcTranscriptEntry> Transcript { get; } = [];

    public Status? EndStatus { get; private set; }

    public async Task SendAsync(ProcessingRequest request, bool recordAlone)
    {
        if (recordAlone)
        {
            Transcript.Add(new(request, null));
        }

        if (_writesBroken)
        {
            return;
        }

        try
        {
            await call.RequestStream.WriteAsync(request);
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
            // The processor already ended the call; the next read reports how.
            _writesBroken = true;
        }
    }

    public async Task<StreamRead> ReadAsync(TimeSpan timeout)
    {
        _pendingRead ??= call.ResponseStream.MoveNext(CancellationToken.None);
        using var delayCancel = new CancellationTokenSource();
        var delay = Task.Delay(timeout, delayCancel.Token);
        if (await Task.WhenAny(_pendingRead, delay) != _pendingRead)
        {
            return new(ReadKind.Timeout, null, null);
        }

        await delayCancel.CancelAsync();
        var read = _pendingRead;
        _pendingRead = null;
        try
        {
            if (await read)
            {
                return new(ReadKind.Message, call.ResponseStream.Current, null);
            }

            EndStatus = call.GetStatus();
        }
        catch (RpcException e)
        {
            EndStatus = e.Status;
        }

        return new(EndStatus.Value.StatusCode == StatusCode.OK ? ReadKind.Closed : ReadKind.Error, null, EndStatus);
    }

    public async Task CompleteAsync()
    {
        if (_writesBroken)
        {
            return;
        }

        try
        {
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
            _writesBroken = true;
        }
    }

    public void Dispose() => call.Dispose();
}

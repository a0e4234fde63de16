using System.Threading.Channels;
using Envoy.Service.ExtProc.V3;
using Grpc.Core;

namespace EnvoyGovern.Conformance.Tests.Fakes;

/// <summary>
/// An in-memory ext_proc stream: a scripted processor answers each request with zero or more
/// messages. No network, no mocking framework.
/// </summary>
public sealed class FakeProcessorCall
{
    private readonly Channel<ProcessingRequest> _requests = Channel.CreateUnbounded<ProcessingRequest>();
    private readonly Channel<ProcessingResponse> _responses = Channel.CreateUnbounded<ProcessingResponse>();
    private readonly Func<ProcessingRequest, FakeProcessorCall, IEnumerable<ProcessingResponse>> _script;
    private Status _status = Status.DefaultSuccess;

    public FakeProcessorCall(Func<ProcessingRequest, FakeProcessorCall, IEnumerable<ProcessingResponse>> script)
    {
        _script = script;
        _ = Task.Run(RunAsync);
    }

    public List<ProcessingRequest> Received { get; } = [];

    /// <summary>Ends the call from the processor side.</summary>
    public void End(Status status)
    {
        _status = status;
        _responses.Writer.TryComplete(status.StatusCode == StatusCode.OK ? null : new RpcException(status));
    }

    public AsyncDuplexStreamingCall<ProcessingRequest, ProcessingResponse> Open(CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        return new(new Writer(_requests.Writer), new Reader(_responses.Reader), Task.FromResult(new Metadata()),
            () => _status, () => [], () => { });
    }

    private async Task RunAsync()
    {
        await foreach (var request in _requests.Reader.ReadAllAsync())
        {
            Received.Add(request);
            foreach (var response in _script(request, this))
            {
                await _responses.Writer.WriteAsync(response);
            }
        }

        _responses.Writer.TryComplete();
    }

    private sealed class Writer(ChannelWriter<ProcessingRequest> writer) : IClientStreamWriter<ProcessingRequest>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task CompleteAsync()
        {
            writer.TryComplete();
            return Task.CompletedTask;
        }

        public Task WriteAsync(ProcessingRequest message) => writer.WriteAsync(message).AsTask();
    }

    private sealed class Reader(ChannelReader<ProcessingResponse> reader) : IAsyncStreamReader<ProcessingResponse>
    {
        public ProcessingResponse Current { get; private set; } = new();

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await reader.WaitToReadAsync(cancellationToken))
            {
                return false;
            }

            Current = await reader.ReadAsync(cancellationToken);
            return true;
        }
    }
}

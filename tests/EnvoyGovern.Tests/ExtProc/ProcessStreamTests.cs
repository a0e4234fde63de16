using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using EnvoyGovern.TestSupport;
using Google.Protobuf;
using Grpc.Core;
using ExternalProcessorClient = Envoy.Service.ExtProc.V3.ExternalProcessor.ExternalProcessorClient;

namespace EnvoyGovern.Tests.ExtProc;

/// <summary>Raw streams: bad input, cancellation and deadlines get a clear gRPC status, never a crash or a hang.</summary>
public sealed class ProcessStreamTests : IAsyncLifetime
{
    private RunningService _service = null!;

    private ExternalProcessorClient Client => new(_service.Channel);

    public async Task InitializeAsync() => _service = await RunningService.StartExtProcAsync();

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task Process_EmptyMessage_InvalidArgument()
    {
        using var call = Client.Process();

        await call.RequestStream.WriteAsync(new ProcessingRequest());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("request_headers", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_RequestHeadersTwice_FailedPrecondition()
    {
        using var call = Client.Process();
        await call.RequestStream.WriteAsync(Headers(endOfStream: false));
        Assert.True(await call.ResponseStream.MoveNext());

        await call.RequestStream.WriteAsync(Headers(endOfStream: false));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("twice", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_BodyAfterEndOfStream_FailedPrecondition()
    {
        using var call = Client.Process();
        await call.RequestStream.WriteAsync(Headers(endOfStream: true));
        Assert.True(await call.ResponseStream.MoveNext());

        await call.RequestStream.WriteAsync(new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFromUtf8("x") } });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
    }

    [Fact]
    public async Task Process_HalfCloseAfterAnswers_CompletesOk()
    {
        using var call = Client.Process();
        await call.RequestStream.WriteAsync(Headers(endOfStream: true));
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(ProcessingResponse.ResponseOneofCase.RequestHeaders, call.ResponseStream.Current.ResponseCase);

        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Process_SameAttributeNamespaceInBothDirections_BothAnswered()
    {
        using var call = Client.Process();
        var request = Headers(endOfStream: true);
        request.Attributes["envoy.filters.http.ext_proc"] = Struct("request.path", "/v1/chat/completions");
        var response = new ProcessingRequest { ResponseHeaders = new HttpHeaders { Headers = new HeaderMap(), EndOfStream = true } };
        response.Attributes["envoy.filters.http.ext_proc"] = Struct("response.code", "200");

        await call.RequestStream.WriteAsync(request);
        Assert.True(await call.ResponseStream.MoveNext());
        await call.RequestStream.WriteAsync(response);
        Assert.True(await call.ResponseStream.MoveNext());

        Assert.Equal(ProcessingResponse.ResponseOneofCase.ResponseHeaders, call.ResponseStream.Current.ResponseCase);
    }

    [Fact]
    public async Task Process_ObservabilityMode_NoAnswers()
    {
        using var call = Client.Process();
        var message = Headers(endOfStream: true);
        message.ObservabilityMode = true;

        await call.RequestStream.WriteAsync(message);
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Process_ClientCancelsMidStream_ServiceKeepsServing()
    {
        using (var cancellation = new CancellationTokenSource())
        {
            using var call = Client.Process(cancellationToken: cancellation.Token);
            await call.RequestStream.WriteAsync(Headers(endOfStream: false));
            Assert.True(await call.ResponseStream.MoveNext());
            await cancellation.CancelAsync();
            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
            Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        }

        using var next = Client.Process();
        await next.RequestStream.WriteAsync(Headers(endOfStream: true));
        Assert.True(await next.ResponseStream.MoveNext());
    }

    [Fact]
    public async Task Process_ClientCancelsMidStream_ExchangeAuditedAsCancelled()
    {
        // Envoy resets the stream when its client goes away: the exchange still gets its one record.
        var requestId = Guid.NewGuid().ToString();
        var headers = Headers(endOfStream: false);
        headers.RequestHeaders.Headers.Headers.Add(new HeaderValue { Key = "x-request-id", RawValue = ByteString.CopyFromUtf8(requestId) });
        using var cancellation = new CancellationTokenSource();
        using var call = Client.Process(cancellationToken: cancellation.Token);
        await call.RequestStream.WriteAsync(headers);
        Assert.True(await call.ResponseStream.MoveNext());

        await cancellation.CancelAsync();
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        var record = Assert.Single(_service.Audit.Wait(r => CapturingAuditPipeline.Text(r, "http", "request", "id") == requestId));
        Assert.Equal("cancelled", CapturingAuditPipeline.Text(record, "event", "reason"));
        Assert.Equal("unknown", CapturingAuditPipeline.Text(record, "event", "outcome"));
    }

    [Fact]
    public async Task Process_DeadlineExceededMidStream_DeadlineExceeded()
    {
        using var call = Client.Process(deadline: DateTime.UtcNow.AddMilliseconds(300));
        await call.RequestStream.WriteAsync(Headers(endOfStream: false));
        Assert.True(await call.ResponseStream.MoveNext());

        // Envoy never half-closes here: the deadline must end the stream.
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public async Task Process_SixteenMebibyteChunk_ResourceExhaustedAndServiceSurvives()
    {
        using var call = Client.Process();
        await call.RequestStream.WriteAsync(Headers(endOfStream: false));
        Assert.True(await call.ResponseStream.MoveNext());

        var oversized = new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFrom(new byte[16 * 1024 * 1024]), EndOfStream = true } };
        var writeError = await Record.ExceptionAsync(() => call.RequestStream.WriteAsync(oversized));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.True(writeError is null or RpcException or InvalidOperationException, $"unexpected {writeError}");
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        using var next = Client.Process();
        await next.RequestStream.WriteAsync(Headers(endOfStream: true));
        Assert.True(await next.ResponseStream.MoveNext());
    }

    private static Google.Protobuf.WellKnownTypes.Struct Struct(string field, string value)
    {
        var result = new Google.Protobuf.WellKnownTypes.Struct();
        result.Fields[field] = Google.Protobuf.WellKnownTypes.Value.ForString(value);
        return result;
    }

    private static ProcessingRequest Headers(bool endOfStream)
    {
        var map = new HeaderMap();
        map.Headers.Add(new HeaderValue { Key = ":method", RawValue = ByteString.CopyFromUtf8("POST") });
        map.Headers.Add(new HeaderValue { Key = ":path", RawValue = ByteString.CopyFromUtf8("/v1/chat/completions") });
        return new ProcessingRequest { RequestHeaders = new HttpHeaders { Headers = map, EndOfStream = endOfStream } };
    }
}

using BenchmarkDotNet.Attributes;
using Envoy.Service.ExtProc.V3;
using EnvoyGovern.ExtProc.Processing;
using EnvoyGovern.Governance.Audit;
using EnvoyGovern.Governance.Audit.Recording;
using EnvoyGovern.Protos.Compat;
using EnvoyGovern.TestSupport;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// One ext_proc headers-only exchange as the load harness sends it (<c>extproc-headers</c>: the chat request's headers
/// with <c>end_of_stream</c>, the sample policy, the built-in WAF rules, the audit record through the stdout pipeline
/// into <see cref="Stream.Null"/>), through <c>ExternalProcessorService.Process</c> in-process: the message read from
/// its bytes and the answer written by the service's marshallers (<c>ProcessBinding</c>), as gRPC does around the
/// handler; the bare processor's by the generated ones, as its binding does. The baseline is the load harness's bare
/// processor (a constant answer per message) over the same reading and writing, so the difference is what the
/// exchange costs us: the allocations here are what the GC threads of the harness's profile collect.
/// </summary>
[MemoryDiagnoser]
public class ExtProcExchangeBenchmarks : IAsyncDisposable
{
    private static readonly ProcessingResponse ConstantAnswer = new() { RequestHeaders = new HeadersResponse() };

    private readonly Frames<ProcessingMessage> _reader = new() { Marshaller = ProcessBinding.ProcessMethod.RequestMarshaller };
    private readonly Frames<ProcessingRequest> _bareReader = new() { Marshaller = Marshallers.Create<ProcessingRequest>(static (m, ctx) => ctx.Complete(m.ToByteArray()), static ctx => ProcessingRequest.Parser.ParseFrom(ctx.PayloadAsReadOnlySequence())) };
    private readonly Answers _writer = new() { Marshaller = ProcessBinding.ProcessMethod.ResponseMarshaller };
    private readonly Answers _bareWriter = new() { Marshaller = Marshallers.Create<ProcessingResponse>(GeneratedWrite, static ctx => ProcessingResponse.Parser.ParseFrom(ctx.PayloadAsReadOnlySequence())) };
    private readonly ServerCallContext _call = new BenchCallContext("/envoy.service.ext_proc.v3.ExternalProcessor/Process");
    private PolicyDirectory _policy = null!;
    private RunningService _service = null!;
    private StdoutAuditPipeline _audit = null!;
    private ProcessBinding.ProcessBase _processor = null!;

    [GlobalSetup]
    public void Setup()
    {
        _reader.Messages = [.. ExtProcSequences.HeadersOnly().Select(m => m.ToByteArray())];
        _bareReader.Messages = _reader.Messages;
        _policy = new PolicyDirectory([.. SamplePolicy.Files(RepoRoot.Path)]);
        _audit = new StdoutAuditPipeline(Stream.Null, Options.Create(new AuditRecordingOptions()), NullLogger<StdoutAuditPipeline>.Instance);
        // The WAF's time limit as in production; the first calls (JIT) may exceed it on a loaded machine, so the
        // check below comes after a warm-up.
        _service = RunningService.StartExtProcAsync(s => s.AddSingleton<IAuditPipeline>(_audit), _policy.Setting).GetAwaiter().GetResult();
        _processor = _service.App.Services.GetRequiredService<ExternalProcessorService>();
        for (var i = 0; i < 2000; i++)
        {
            Exchange().GetAwaiter().GetResult();
        }

        if (_writer.Last is not { RequestHeaders: not null, ImmediateResponse: null })
        {
            throw new InvalidOperationException($"the exchange must pass: {_writer.Last}");
        }
    }

    /// <summary>The last answer written (what <c>alloc-ticks</c> shows).</summary>
    internal ProcessingResponse? LastAnswer => _writer.Last;

    [Benchmark(Baseline = true, Description = "headers-only: bare processor (constant answer)")]
    public async Task Bare()
    {
        _bareReader.Rewind();
        while (await _bareReader.MoveNext(_call.CancellationToken))
        {
            _ = _bareReader.Current.RequestCase;
            await _bareWriter.WriteAsync(ConstantAnswer);
        }
    }

    [Benchmark(Description = "headers-only: ExternalProcessorService (sample policy, built-in WAF, audit)")]
    public Task Exchange()
    {
        _reader.Rewind();
        return _processor.Process(_reader, _writer, _call);
    }

    [Benchmark(Description = "parse only: generated ProcessingRequest parser (the bare processor's)")]
    public ProcessingRequest ParseGenerated() => BenchMarshalling.Read(_bareReader.Marshaller, _reader.Messages[0]);

    [Benchmark(Description = "parse only: payload copy + ProcessingRequestReader (the service's)")]
    public ProcessingMessage ParseReader() => BenchMarshalling.Read(_reader.Marshaller, _reader.Messages[0]);

    // The same headers without protocol_config, as every message after a stream's first comes.
    private static readonly byte[] NoConfig = new ProcessingRequest { RequestHeaders = ((ProcessingRequest)ExtProcSequences.HeadersOnly()[0]).RequestHeaders }.ToByteArray();

    [Benchmark(Description = "parse only, no protocol_config: generated")]
    public ProcessingRequest ParseGeneratedNoConfig() => BenchMarshalling.Read(_bareReader.Marshaller, NoConfig);

    [Benchmark(Description = "parse only, no protocol_config: payload copy + ProcessingRequestReader")]
    public ProcessingMessage ParseReaderNoConfig() => BenchMarshalling.Read(_reader.Marshaller, NoConfig);

    public async ValueTask DisposeAsync()
    {
        await _service.DisposeAsync();
        await _audit.DisposeAsync();
        _policy.Dispose();
        GC.SuppressFinalize(this);
    }

    // What Grpc.Tools' generated marshaller does with a message (sized, then written into the call's buffer).
    private static void GeneratedWrite(ProcessingResponse message, SerializationContext context)
    {
        context.SetPayloadLength(message.CalculateSize());
        message.WriteTo(context.GetBufferWriter());
        context.Complete();
    }

    [GlobalCleanup]
    public void Cleanup() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    // The stream's messages read from their bytes on each read, as gRPC's deserializer does.
    private sealed class Frames<T> : IAsyncStreamReader<T>
    {
        private int _next;

        public byte[][] Messages { get; set; } = [];

        public required Marshaller<T> Marshaller { get; init; }

        public T Current { get; private set; } = default!;

        public void Rewind() => _next = 0;

        public Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (_next == Messages.Length)
            {
                return Task.FromResult(false);
            }

            Current = BenchMarshalling.Read(Marshaller, Messages[_next++]);
            return Task.FromResult(true);
        }
    }

    // Each answer written into a reused buffer, as gRPC's serializer writes it into the response pipe.
    private sealed class Answers : IServerStreamWriter<ProcessingResponse>
    {
        private readonly BenchMarshalling.Writer _buffer = new();

        public required Marshaller<ProcessingResponse> Marshaller { get; init; }

        public WriteOptions? WriteOptions { get; set; }

        public ProcessingResponse? Last { get; private set; }

        public Task WriteAsync(ProcessingResponse message)
        {
            _buffer.Write(Marshaller, message);
            Last = message;
            return Task.CompletedTask;
        }
    }
}

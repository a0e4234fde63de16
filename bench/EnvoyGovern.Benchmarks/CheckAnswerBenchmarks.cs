using System.Buffers;
using BenchmarkDotNet.Attributes;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.ExtAuthz.Decisions.Wire;
using Google.Protobuf;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// The allowed answer of the sample policy's Check (the harness's request, decided once), from the decided
/// context to its bytes: the generated message and serializer against the hand-written writer, and the service's
/// path, which copies a template of the same shape (<see cref="AnswerTemplates"/>).
/// </summary>
[MemoryDiagnoser]
public class CheckAnswerBenchmarks
{
    private readonly CheckResponseFactory _responses = new();
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private CheckContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        var pipeline = Policies.Pipeline(Policies.Step(Policies.Store(Policies.Sample())));
        _context = Decide.NewContext(Requests.Chat("x-api-key", "demo-key-acme"));
        var decision = pipeline.DecideAsync(_context, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        Decide.AssertAllowed(_responses.Create(decision, _context), "chat-stable-version");
    }

    [Benchmark(Baseline = true, Description = "CheckResponse built + generated serializer")]
    public int Generated()
    {
        _output.ResetWrittenCount();
        var response = _responses.Create(Decision.Allowed, _context);
        var size = response.CalculateSize();
        response.WriteTo(_output.GetSpan(size)[..size]);
        return size;
    }

    [Benchmark(Description = "CheckAnswer written by hand, every string encoded")]
    public int HandWritten()
    {
        var layout = AllowedAnswerWriter.Measure(_context);
        return AllowedAnswerWriter.Write(_context, layout, _output.GetSpan(layout.Total));
    }

    [Benchmark(Description = "CheckAnswer as the service writes it (a repeated shape: the template copied, the id written)")]
    public int Service()
    {
        _output.ResetWrittenCount();
        var answer = _responses.CreateAnswer(Decision.Allowed, _context);
        return answer.WriteTo(_output);
    }
}

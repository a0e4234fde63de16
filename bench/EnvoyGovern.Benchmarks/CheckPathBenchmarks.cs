using System.Buffers;
using BenchmarkDotNet.Attributes;
using Envoy.Service.Auth.V3;
using EnvoyGovern.ExtAuthz;
using EnvoyGovern.ExtAuthz.Audit;
using EnvoyGovern.ExtAuthz.Authorization;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.TestSupport;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// The audit-off Check handler as the service runs it, on the load harness's request bytes and policies:
/// parse (the payload copied and read into a <see cref="CheckRequestView"/>, as <c>CheckBinding</c> does),
/// <c>AuthorizationService.Check</c> (the host's singletons, audit switched off as in
/// bench/EnvoyGovern.LoadAuditOff), and the answer written to a buffer; against the bare baseline's handler
/// (the generated parse, one constant answer, serialized). What Kestrel, HTTP/2 and Grpc.AspNetCore add is the same
/// for both. The two parses alone are the last two rows.
/// </summary>
[MemoryDiagnoser]
public class CheckPathBenchmarks
{
    private static readonly CheckResponse BaselineAnswer = new()
    {
        Status = new Google.Rpc.Status { Code = 0 },
        OkResponse = new OkHttpResponse(),
    };

    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly ServerCallContext _call = new BenchCallContext("/envoy.service.auth.v3.Authorization/Check");
    private readonly string _files = Path.Combine(Path.GetTempPath(), "envoygovern-checkpath-" + Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;
    private AuthorizationService _service = null!;
    private byte[] _request = null!;

    /// <summary>The load harness's scenario: <c>sample</c> (API key) or <c>1000</c> (1,000 rules, JWT, quota, canary).</summary>
    [Params("sample", "1000")]
    public string Scenario { get; set; } = "sample";

    [GlobalSetup]
    public void Setup()
    {
        LoadWorkload.Create(RepoRoot.Path).Write(_files);
        var frames = GrpcFrames.Decode(File.ReadAllBytes(Path.Combine(_files, $"check-{Scenario}.bin")));
        _request = frames[0];
        string[] args =
        [
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{LoopbackPorts.Free()}",
            $"--Kestrel:Endpoints:Admin:Url=http://127.0.0.1:{LoopbackPorts.Free()}",
            "--Logging:MinimumLevel=Error",
            $"--Policy:Directory={Path.Combine(_files, "policy-" + Scenario)}",
        ];
        _app = ExtAuthzApp.Build(args, configureServices: s => s.AddSingleton<IDecisionAudit, NoAudit>());
        _app.StartAsync().GetAwaiter().GetResult();
        _service = _app.Services.GetRequiredService<AuthorizationService>();
        var answer = CheckResponse.Parser.ParseFrom(ToBytes(Service()));
        if (answer.Status.Code != 0 || answer.OkResponse is null)
        {
            throw new InvalidOperationException($"expected an allowed Check, got {answer}");
        }
    }

    [Benchmark(Baseline = true, Description = "bare baseline: parse + constant answer")]
    public int Baseline()
    {
        _ = CheckRequest.Parser.ParseFrom(_request);
        _output.ResetWrittenCount();
        var size = BaselineAnswer.CalculateSize();
        BaselineAnswer.WriteTo(_output.GetSpan(size)[..size]);
        return size;
    }

    [Benchmark(Description = "Check, audit off: parse + handler + answer")]
    public int Check() => Service();

    [Benchmark(Description = "parse only: generated CheckRequest parser")]
    public object GeneratedParse() => CheckRequest.Parser.ParseFrom(_request);

    [Benchmark(Description = "parse only: payload copy + CheckRequestView")]
    public object ViewParse() => CheckRequestView.Parse((byte[])_request.Clone());

    private int Service()
    {
        var request = CheckRequestView.Parse((byte[])_request.Clone());
        var answer = _service.Check(request, _call).GetAwaiter().GetResult();
        _output.ResetWrittenCount();
        return answer.WriteTo(_output);
    }

    private byte[] ToBytes(int size) => _output.WrittenSpan[..size].ToArray();

    // BenchmarkDotNet runs this after each case; it never disposes the benchmark object.
    [GlobalCleanup]
    public void Cleanup()
    {
        _app.StopAsync().GetAwaiter().GetResult();
        _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_files, recursive: true);
    }

    private sealed class NoAudit : IDecisionAudit
    {
        public ValueTask RecordAsync(CheckContext check, Decision decision, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask RecordFailureAsync(CheckContext check, string reason, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}

using BenchmarkDotNet.Attributes;
using Envoy.Service.Auth.V3;
using EnvoyGovern.ExtAuthz.Audit;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Audit;
using EnvoyGovern.Governance.Audit.Recording;
using EnvoyGovern.Governance.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// One Check with the sample policy, with and without its audit record: serialized as ECS JSON, hash-chained,
/// a signed checkpoint every 1,000 records (as configured in production), handed to a pipeline that discards
/// it. The difference is what record production adds to a decision; delivery (stdout, queue) is not in it.
/// </summary>
[MemoryDiagnoser]
public class AuditBenchmarks : IDisposable
{
    private static readonly CheckResponseFactory Responses = new();

    private readonly string _keyFile = Path.Combine(Path.GetTempPath(), $"envoygovern-bench-{Guid.NewGuid():N}.key");
    private readonly DiscardingPipeline _pipeline = new();
    private DecisionPipeline _sample = null!;
    private CheckRequest _request = null!;
    private DecisionAudit _audit = null!;
    private DecisionAudit _stdoutAudit = null!;
    private StdoutAuditPipeline _stdout = null!;
    private CheckContext _decided = null!;
    private Decision _decision = null!;

    [GlobalSetup]
    public void Setup()
    {
        _sample = Policies.Pipeline(Policies.Step(Policies.Store(Policies.Sample())));
        _request = Requests.Chat("x-api-key", "demo-key-acme");
        File.WriteAllBytes(_keyFile, [.. Enumerable.Range(0, 32).Select(i => (byte)i)]);
        var options = new AuditRecordingOptions { Checkpoint = { KeyFile = _keyFile, Every = 1000 } };
        var recorder = new AuditRecorder(GovernanceService.ExtAuthz, _pipeline, Options.Create(options), TimeProvider.System, NullLogger<AuditRecorder>.Instance);
        _audit = new DecisionAudit(recorder);
        // The default sink as the services run it, minus the disk: group commit and one write(2)-sized Write per
        // record into a stream that keeps nothing (the load harness points stdout at /dev/null).
        _stdout = new StdoutAuditPipeline(Stream.Null, Options.Create(options), NullLogger<StdoutAuditPipeline>.Instance);
        _stdoutAudit = new DecisionAudit(new AuditRecorder(GovernanceService.ExtAuthz, _stdout, Options.Create(options), TimeProvider.System, NullLogger<AuditRecorder>.Instance));
        Decide.AssertAllowed(WithAuditAsync().AsTask().GetAwaiter().GetResult(), "chat-stable-version");
        _decided = Decide.NewContext(_request);
        _decision = _sample.DecideAsync(_decided, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "sample policy, API key + response")]
    public ValueTask<CheckResponse> WithoutAudit() => Decide.CheckAsync(_sample, _request);

    [Benchmark(Description = "sample policy, API key + audit record + response")]
    public async ValueTask<CheckResponse> WithAuditAsync()
    {
        var context = Decide.NewContext(_request);
        var decision = await _sample.DecideAsync(context, CancellationToken.None);
        await _audit.RecordAsync(context, decision, CancellationToken.None);
        return Responses.Create(decision, context);
    }

    [Benchmark(Description = "audit record only (serialize + chain + discard)")]
    public ValueTask RecordOnly() => _audit.RecordAsync(_decided, _decision, CancellationToken.None);

    [Benchmark(Description = "audit record through the stdout pipeline (serialize + chain + group commit into Stream.Null)")]
    public ValueTask RecordThroughStdout() => _stdoutAudit.RecordAsync(_decided, _decision, CancellationToken.None);

    /// <summary>The benchmarks' decision record on <paramref name="audit"/> (<c>audit-loop</c> with several threads).</summary>
    public ValueTask RecordOn(DecisionAudit audit) => audit.RecordAsync(_decided, _decision, CancellationToken.None);

    public void Dispose()
    {
        _stdout?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        File.Delete(_keyFile);
        GC.SuppressFinalize(this);
    }

    /// <summary>The last record written (what <c>audit-loop</c> shows before it measures).</summary>
    public AuditEntry? LastRecord => _pipeline.Last;

    private sealed class DiscardingPipeline : IAuditPipeline
    {
        public AuditEntry? Last { get; private set; }

        public ValueTask<bool> WriteAsync(AuditEntry entry, CancellationToken cancellationToken)
        {
            Last = entry;
            return ValueTask.FromResult(true);
        }
    }
}

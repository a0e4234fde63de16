using BenchmarkDotNet.Attributes;
using Envoy.Service.Auth.V3;
using EnvoyGovern.ExtAuthz.Access;
using EnvoyGovern.ExtAuthz.Decisions;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// What choosing a canary adds to a decision: the sample policy's AccessStep for a caller in the
/// canary's cohort (stickiness hash, cohort, halts), against the same policy without the canary.
/// </summary>
[MemoryDiagnoser]
public class CanaryBenchmarks
{
    private AccessStep _withoutCanary = null!;
    private AccessStep _withCanary = null!;
    private CheckRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        _withoutCanary = Policies.Step(Policies.Store(Policies.Sample(canaries: false)));
        _withCanary = Policies.Step(Policies.Store(Policies.Sample()));
        _request = Requests.Chat("x-api-key", "demo-key-globex");
        AssertRouted(_withCanary, "canary_reason");
        AssertRouted(_withoutCanary, "cluster");
    }

    [Benchmark(Baseline = true, Description = "sample policy without canary, AccessStep")]
    public ValueTask<Decision?> WithoutCanary() => _withoutCanary.EvaluateAsync(Decide.NewContext(_request), CancellationToken.None);

    [Benchmark(Description = "sample policy with canary (caller in cohort), AccessStep")]
    public ValueTask<Decision?> WithCanary() => _withCanary.EvaluateAsync(Decide.NewContext(_request), CancellationToken.None);

    private void AssertRouted(AccessStep step, string metadata)
    {
        var context = Decide.NewContext(_request);
        var decision = step.EvaluateAsync(context, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        if (decision is not null || !context.Metadata.Any(m => m.Key == metadata))
        {
            throw new InvalidOperationException($"expected an allowed, routed decision; got {decision?.Reason ?? "no " + metadata}");
        }
    }
}

using BenchmarkDotNet.Attributes;
using Envoy.Service.Auth.V3;
using EnvoyGovern.ExtAuthz.Access;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Policy.Loading;
using EnvoyGovern.Governance.Policy.Runtime;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// The 1,000-rule decision for a token not seen before: parse, RS256 signature check, claims, cache
/// insert. Each iteration compiles the policy afresh (an empty token cache, outside the measurement)
/// and then decides once for each of <see cref="Tokens"/> distinct tokens.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(Tokens, 1)]
public class ColdJwtBenchmarks : IDisposable
{
    private const int Tokens = 256;

    private readonly Signer _signer = new();
    private PolicyLoadResult _load = null!;
    private CheckRequest[] _requests = null!;
    private DecisionPipeline _empty = null!;
    private DecisionPipeline _generated = null!;
    private PolicyStore? _store;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _load = Policies.Generated(DecisionBenchmarks.Rules, _signer.Jwks());
        _requests = [.. Enumerable.Range(0, Tokens).Select(i => Requests.Chat("authorization", "Bearer " + _signer.Token($"cold-{i}")))];
        _empty = Policies.Pipeline();
        FreshPolicy();
        Decide.AssertAllowed(Decide.CheckAsync(_generated, _requests[0]).AsTask().GetAwaiter().GetResult(), GeneratedPolicy.MatchingRule(DecisionBenchmarks.Rules));
    }

    [IterationSetup(Target = nameof(Rules1000JwtCold))]
    public void FreshPolicy()
    {
        _store?.Current?.Get<AccessPolicy>().Dispose();
        _store = Policies.Store(_load);
        _generated = Policies.Pipeline(Policies.Step(_store));
        _next = 0;
    }

    [Benchmark(Baseline = true, Description = "no step (allow-all) + response")]
    public ValueTask<CheckResponse> NoStep() => Decide.CheckAsync(_empty, _requests[0]);

    [Benchmark(Description = "1,000 rules, JWT (cold validation) + response")]
    public ValueTask<CheckResponse> Rules1000JwtCold() => Decide.CheckAsync(_generated, _requests[_next++ % Tokens]);

    public void Dispose()
    {
        _store?.Current?.Get<AccessPolicy>().Dispose();
        _signer.Dispose();
        GC.SuppressFinalize(this);
    }
}

using BenchmarkDotNet.Attributes;
using Envoy.Service.Auth.V3;
using EnvoyGovern.ExtAuthz.Access;
using EnvoyGovern.ExtAuthz.Decisions;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// One Check decided in process, against the pipeline with no step (what the service costs before any
/// policy). JWTs here hit the validated-token cache after the first call, as a client's repeated
/// calls do; <see cref="ColdJwtBenchmarks"/> measures the first validation of a token.
/// </summary>
[MemoryDiagnoser]
public class DecisionBenchmarks : IDisposable
{
    public const int Rules = 1000;

    private readonly Signer _signer = new();
    private DecisionPipeline _empty = null!;
    private DecisionPipeline _sample = null!;
    private DecisionPipeline _generated = null!;
    private AccessStep _generatedStep = null!;
    private AccessStep _unindexableStep = null!;
    private CheckRequest _apiKeyRequest = null!;
    private CheckRequest _jwtRequest = null!;

    [GlobalSetup]
    public void Setup()
    {
        _empty = Policies.Pipeline();
        _sample = Policies.Pipeline(Policies.Step(Policies.Store(Policies.Sample())));
        _generatedStep = Policies.Step(Policies.Store(Policies.Generated(Rules, _signer.Jwks())));
        _generated = Policies.Pipeline(_generatedStep);
        _unindexableStep = Policies.Step(Policies.Store(Policies.Generated(Rules, _signer.Jwks(), indexable: false)));
        _apiKeyRequest = Requests.Chat("x-api-key", "demo-key-acme");
        _jwtRequest = Requests.Chat("authorization", "Bearer " + _signer.Token("bench"));

        Decide.AssertAllowed(Decide.CheckAsync(_empty, _jwtRequest).AsTask().GetAwaiter().GetResult(), null);
        Decide.AssertAllowed(Decide.CheckAsync(_sample, _apiKeyRequest).AsTask().GetAwaiter().GetResult(), "chat-stable-version");
        Decide.AssertAllowed(Decide.CheckAsync(_generated, _jwtRequest).AsTask().GetAwaiter().GetResult(), GeneratedPolicy.MatchingRule(Rules));
        Decide.AssertAllowed(Decide.CheckAsync(Policies.Pipeline(_unindexableStep), _jwtRequest).AsTask().GetAwaiter().GetResult(), GeneratedPolicy.MatchingRule(Rules));
    }

    [Benchmark(Baseline = true, Description = "no step (allow-all) + response")]
    public ValueTask<CheckResponse> NoStep() => Decide.CheckAsync(_empty, _jwtRequest);

    [Benchmark(Description = "sample policy, API key + response")]
    public ValueTask<CheckResponse> SamplePolicyApiKey() => Decide.CheckAsync(_sample, _apiKeyRequest);

    [Benchmark(Description = "1,000 rules, JWT (cached) + response")]
    public ValueTask<CheckResponse> Rules1000Jwt() => Decide.CheckAsync(_generated, _jwtRequest);

    [Benchmark(Description = "1,000 rules, JWT (cached), AccessStep only")]
    public ValueTask<Decision?> Rules1000AccessStep() => _generatedStep.EvaluateAsync(Decide.NewContext(_jwtRequest), CancellationToken.None);

    [Benchmark(Description = "1,000 rules the index cannot narrow, JWT (cached), AccessStep only")]
    public ValueTask<Decision?> Rules1000UnindexableAccessStep() => _unindexableStep.EvaluateAsync(Decide.NewContext(_jwtRequest), CancellationToken.None);

    public void Dispose()
    {
        _signer.Dispose();
        GC.SuppressFinalize(this);
    }
}

using EnvoyGovern.ExtAuthz.Access;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.ExtAuthz.Quotas;
using EnvoyGovern.Governance.Policy.Loading;
using EnvoyGovern.Governance.Policy.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// Policies built the way the service builds them: <see cref="PolicyLoader.Load"/> (YAML, schema,
/// validation), then <see cref="PolicyStore.Apply"/> with the real <see cref="AccessPolicyCompiler"/>.
/// </summary>
internal static class Policies
{
    private static readonly IHttpClientFactory HttpClients = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();

    /// <summary>The sample policy (envoy-config/policy) with its quota raised (see <see cref="SamplePolicy"/>).</summary>
    /// <param name="canaries">False to drop the models' canaries (the clusters stay): the baseline of the canary choice.</param>
    public static PolicyLoadResult Sample(bool canaries = true) => Valid(PolicyLoader.Load(SamplePolicy.Files(RepoRoot.Path, canaries)));

    public static PolicyLoadResult Generated(int rules, string jwks, bool indexable = true) =>
        Valid(PolicyLoader.Load([("generated.yaml", GeneratedPolicy.Yaml(rules, jwks, indexable))]));

    /// <summary>A store holding <paramref name="load"/>, compiled as the service compiles it.</summary>
    public static PolicyStore Store(PolicyLoadResult load)
    {
        var identity = new IdentitySourceFactory(TimeProvider.System, HttpClients, Options.Create(new PolicyOptions { Directory = RepoRoot.Path }), NullLoggerFactory.Instance);
        var store = new PolicyStore([new AccessPolicyCompiler(identity)], TimeProvider.System);
        if (store.Apply(load, out var errors) != PolicyApplyOutcome.Applied)
        {
            throw new InvalidOperationException("policy rejected: " + string.Join("; ", errors.Select(e => e.Message)));
        }

        return store;
    }

    public static AccessStep Step(PolicyStore store) => new(store, new InMemoryQuotaStore(TimeProvider.System), TimeProvider.System, new EnvoyGovern.Governance.Canary.CanaryHaltRegistry(), new EnvoyGovern.Governance.TokenBudgets.InMemoryTokenBudgetStore(TimeProvider.System));

    public static DecisionPipeline Pipeline(params IDecisionStep[] steps) => new(steps);

    private static PolicyLoadResult Valid(PolicyLoadResult load) => load.IsValid
        ? load
        : throw new InvalidOperationException("policy invalid: " + string.Join("; ", load.Errors.Select(e => $"{e.File}:{e.Line}: {e.Path}: {e.Message}")));
}

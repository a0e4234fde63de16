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

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// The sample policy (envoy-config/policy), with its per-tenant quota (5/s, burst 10) raised so that a
    /// benchmark loop measures the allowed decision rather than 429 after ten calls.
    /// </summary>
    /// <param name="canaries">False to drop the models' canaries (the clusters stay): the baseline of the canary choice.</param>
    public static PolicyLoadResult Sample(bool canaries = true)
    {
        var directory = Path.Combine(RepoRoot, "envoy-config", "policy");
        var files = Directory.GetFiles(directory, "*.yaml").Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllText(f)
                .Replace("requestsPerSecond: 5\n", "requestsPerSecond: 100000000\n", StringComparison.Ordinal)
                .Replace("burst: 10\n", "burst: 100000000\n", StringComparison.Ordinal)))
            .Select(f => canaries ? f : (f.Item1, WithoutCanaries(f.Item2)))
            .ToList();
        return Valid(PolicyLoader.Load(files));
    }

    // Drops each "canaries:" block: the lines below it that are indented deeper.
    private static string WithoutCanaries(string yaml)
    {
        var kept = new List<string>();
        var skipDeeperThan = -1;
        foreach (var line in yaml.Split('\n'))
        {
            var indent = line.Length - line.TrimStart().Length;
            if (skipDeeperThan >= 0 && (line.Trim().Length == 0 || indent > skipDeeperThan))
            {
                continue;
            }

            skipDeeperThan = line.TrimStart().StartsWith("canaries:", StringComparison.Ordinal) ? indent : -1;
            if (skipDeeperThan < 0)
            {
                kept.Add(line);
            }
        }

        return string.Join('\n', kept);
    }

    public static PolicyLoadResult Generated(int rules, string jwks, bool indexable = true) =>
        Valid(PolicyLoader.Load([("generated.yaml", GeneratedPolicy.Yaml(rules, jwks, indexable))]));

    /// <summary>A store holding <paramref name="load"/>, compiled as the service compiles it.</summary>
    public static PolicyStore Store(PolicyLoadResult load)
    {
        var identity = new IdentitySourceFactory(TimeProvider.System, HttpClients, Options.Create(new PolicyOptions { Directory = RepoRoot }), NullLoggerFactory.Instance);
        var store = new PolicyStore([new AccessPolicyCompiler(identity)], TimeProvider.System);
        if (store.Apply(load, out var errors) != PolicyApplyOutcome.Applied)
        {
            throw new InvalidOperationException("policy rejected: " + string.Join("; ", errors.Select(e => e.Message)));
        }

        return store;
    }

    public static AccessStep Step(PolicyStore store) => new(store, new InMemoryQuotaStore(TimeProvider.System), TimeProvider.System, new EnvoyGovern.Governance.Canary.CanaryHaltRegistry());

    public static DecisionPipeline Pipeline(params IDecisionStep[] steps) => new(steps);

    private static PolicyLoadResult Valid(PolicyLoadResult load) => load.IsValid
        ? load
        : throw new InvalidOperationException("policy invalid: " + string.Join("; ", load.Errors.Select(e => $"{e.File}:{e.Line}: {e.Path}: {e.Message}")));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EnvoyGovern.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("EnvoyGovern.sln not found above " + AppContext.BaseDirectory);
    }
}

using Envoy.Service.Auth.V3;
using EnvoyGovern.ExtAuthz.Access;
using EnvoyGovern.ExtAuthz.Authorization;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.ExtAuthz.Quotas;
using EnvoyGovern.Governance.Decisions;
using EnvoyGovern.Governance.Policy.Loading;
using EnvoyGovern.Governance.Policy.Runtime;
using EnvoyGovern.Governance.TokenBudgets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Cli.PolicyTesting;

/// <summary>
/// The policy of a directory, loaded and compiled as the ExtAuthz service does it (PolicyLoader, then
/// PolicyStore with the AccessPolicyCompiler and its IdentitySourceFactory), and decided through the
/// real DecisionPipeline and CheckResponseFactory. Only the clock and the quota store are the harness's.
/// </summary>
internal sealed class PolicyHarness : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly CheckResponseFactory _responses = new();
    private readonly DecisionIds _ids;

    private PolicyHarness(ServiceProvider services, PolicyStore store, TestClock clock)
    {
        _services = services;
        Store = store;
        Clock = clock;
        _ids = new DecisionIds(clock);
    }

    public PolicyStore Store { get; }

    public TestClock Clock { get; }

    /// <summary>Canary halts: none, as for a canary that never misbehaved (tests see the policy's routing).</summary>
    public Governance.Canary.CanaryHaltRegistry Halts { get; } = new();

    public PolicySnapshot Snapshot => Store.Current!;

    public AccessPolicy Access => Snapshot.Get<AccessPolicy>();

    /// <summary>Loads and compiles <paramref name="directory"/>; null with every error when it is invalid.</summary>
    public static PolicyHarness? Load(string directory, out IReadOnlyList<PolicyError> errors)
    {
        var clock = new TestClock();
        var collection = new ServiceCollection();
        collection.AddHttpClient(IdentitySourceContext.JwksHttpClientName, client => client.Timeout = TimeSpan.FromSeconds(5));
        var services = collection.BuildServiceProvider();
        var options = Options.Create(new PolicyOptions { Directory = Path.GetFullPath(directory) });
        var identity = new IdentitySourceFactory(clock, services.GetRequiredService<IHttpClientFactory>(), options, NullLoggerFactory.Instance);
        var store = new PolicyStore([new AccessPolicyCompiler(identity)], clock);
        if (store.Apply(PolicyLoader.LoadDirectory(directory), out errors) != PolicyApplyOutcome.Applied)
        {
            services.Dispose();
            return null;
        }

        return new PolicyHarness(services, store, clock);
    }

    /// <summary>A pipeline with its own quota buckets: one per test file, so files do not drain each other.</summary>
    public DecisionPipeline CreatePipeline(IQuotaStore quotas) => new([new AccessStep(Store, quotas, Clock, Halts, Budgets)]);

    /// <summary>Token counts: none, as for tenants that used no tokens yet.</summary>
    public InMemoryTokenBudgetStore Budgets => field ??= new InMemoryTokenBudgetStore(Clock);

    public InMemoryQuotaStore CreateQuotaStore() => new(Clock);

    /// <summary>Decides <paramref name="request"/> and answers as the service would.</summary>
    public async Task<(CheckContext Context, Decision Decision, CheckResponse Response)> DecideAsync(DecisionPipeline pipeline, TestRequest request, CancellationToken cancellationToken)
    {
        var now = Clock.GetUtcNow();
        // Read from its bytes as the service reads a call.
        var check = CheckRequestView.From(CheckRequestBuilder.Build(request, now));
        // The service answers INVALID_ARGUMENT before any policy runs for what it refuses here.
        if (CheckRequestValidator.FindProblem(check) is { } problem)
        {
            throw new InvalidDataException($"the service would refuse this request: {problem}");
        }

        var context = new CheckContext(check, _ids.Next(), now);
        var decision = await pipeline.DecideAsync(context, cancellationToken);
        return (context, decision, _responses.Create(decision, context));
    }

    public void Dispose()
    {
        Store.Current?.Get<AccessPolicy>().Dispose();
        _services.Dispose();
    }
}

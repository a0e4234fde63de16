using System.Text;
using Envoy.Service.Auth.V3;
using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.Conformance.ExtProc;
using EnvoyGovern.Governance.TokenBudgets;
using EnvoyGovern.Tests.Pii;
using EnvoyGovern.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using static EnvoyGovern.Tests.ExtProc.ExtProcExchanges;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.Tests.TokenBudgets;

/// <summary>
/// ExtProc counts the tokens of each answer, ExtAuthz refuses the tenant's next request once the budget
/// is spent: both services over one store, as <c>serve</c> runs them.
/// </summary>
public sealed class TokenBudgetGrpcTests
{
    private const string Policy = """
        apiVersion: governance.envoygovern.io/v1
        kind: GovernancePolicy
        metadata:
          name: budget-test
        spec:
          hosts: [api.example.com]
          identity:
            - apiKey:
                header: x-api-key
                keys:
                  - id: acme-demo
                    sha256: 8649cdebee753898fd50e01408a9e438aa5090249bc3e51b65f33dce973b0873
                    tenant: acme
                  - id: globex-demo
                    sha256: 0aef9a797b1f4523f91fe6c361cd0df88248789ca6cb8cad188d5030ac2f717e
                    tenant: globex
          rules:
            - name: callers
              effect: allow
              when: { authenticated: true }
          tokenBudgets:
            - name: daily
              tokens: 1000
              window: 24h
        """;

    private static CheckRequest Check(string key) => new EnvoyCheckRequestBuilder()
        .Method("POST").Path("/v1/chat/completions").Authority("api.example.com").Header("x-api-key", key).Build();

    private static HttpExchange Answered(string tenant, string answer, string contentType = "application/json")
    {
        var exchange = PiiConformanceTests.Exchange("""{"model":"gpt-4o","messages":[]}""", answer, contentType);
        return exchange with { RequestHeaders = [.. exchange.RequestHeaders, new("x-governance-tenant", tenant)] };
    }

    [Fact]
    public async Task Check_AfterAnswersSpentTheBudget_429UntilTheWindowEnds()
    {
        using var policy = new PolicyDirectory(("p.yaml", Policy));
        var tokens = new InMemoryTokenBudgetStore(TimeProvider.System);
        await using var extAuthz = await RunningService.StartExtAuthzAsync(s => s.AddSingleton(tokens), policy.Setting);
        await using var extProc = await RunningService.StartExtProcAsync(s => s.AddSingleton(tokens), policy.Setting);
        await ExtProc.PolicyService.WaitForPolicyAsync(extProc);
        var authz = new Authorization.AuthorizationClient(extAuthz.Channel);
        const string Usage = """{"id":"c1","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":100,"completion_tokens":500}}""";

        var before = await authz.CheckAsync(Check("demo-key-acme"));
        AssertConforms(await RunAsync(extProc, PiiConformanceTests.ConfigFor(BodySendMode.None, false), Answered("acme", Usage)));
        var after600 = await authz.CheckAsync(Check("demo-key-acme"));
        AssertConforms(await RunAsync(extProc, PiiConformanceTests.ConfigFor(BodySendMode.None, false), Answered("acme", Usage)));
        var after1200 = await authz.CheckAsync(Check("demo-key-acme"));
        var otherTenant = await authz.CheckAsync(Check("demo-key-globex"));

        Assert.Equal(0, before.Status.Code);
        Assert.Equal(0, after600.Status.Code);
        Assert.Equal(429, (int)after1200.DeniedResponse.Status.Code);
        Assert.Contains("token_budget_exhausted", after1200.DeniedResponse.Body, StringComparison.Ordinal);
        var retryAfter = int.Parse(after1200.DeniedResponse.Headers.Single(h => h.Header.Key == "retry-after").Header.Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 24 * 3600);
        Assert.Equal(0, otherTenant.Status.Code);
    }

    [Fact]
    public async Task Process_StreamWithoutUsage_EstimatedAndCounted()
    {
        using var policy = new PolicyDirectory(("p.yaml", Policy));
        var tokens = new InMemoryTokenBudgetStore(TimeProvider.System);
        await using var extProc = await RunningService.StartExtProcAsync(s => s.AddSingleton(tokens), policy.Setting);
        await ExtProc.PolicyService.WaitForPolicyAsync(extProc);
        var events = string.Concat(Enumerable.Repeat("data: {\"choices\":[{\"delta\":{\"content\":\"word \"}}]}\n\n", 100)) + "data: [DONE]\n\n";
        var exchange = Answered("globex", events, "text/event-stream");
        exchange = exchange with { ResponseHeaders = [new(":status", "200"), new("content-type", "text/event-stream")] };

        var outcome = await RunAsync(extProc, PiiConformanceTests.ConfigFor(BodySendMode.None, false), exchange);

        AssertConforms(outcome);
        Assert.Equal(events, Text(outcome.ResponseBody));
        var budget = new CompiledTokenBudget(new Governance.Policy.Model.TokenBudgetSpec { Name = "daily", Tokens = 1000, Window = "24h" });
        var counted = await tokens.ReadAsync(budget.Key("globex", DateTimeOffset.UtcNow), default);
        var expected = ((Encoding.UTF8.GetByteCount(events) + 3) / 4) + ((Encoding.UTF8.GetByteCount("""{"model":"gpt-4o","messages":[]}""") + 3) / 4);
        Assert.Equal(expected, counted);
        Assert.Contains(extProc.Audit.Wait(_ => true), r => r.ToString().Contains("genai.usage_estimated", StringComparison.Ordinal));
    }
}

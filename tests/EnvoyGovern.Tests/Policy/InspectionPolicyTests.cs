using EnvoyGovern.Governance.Policy.Loading;

namespace EnvoyGovern.Tests.Policy;

public sealed class InspectionPolicyTests
{
    private static IReadOnlyList<PolicyError> Errors(string spec) => PolicyLoader.Load([("p.yaml", PolicyTexts.Document("p", spec))]).Errors;

    [Fact]
    public void Load_InspectionSection_Valid()
    {
        var errors = Errors("""
            inspection:
              paths: [/v1/*]
              maxBodyBytes: 1048576
              unknownContentTypes: refuse
              pii:
                action: redact
                entities: { creditCard: block, ipAddress: record, phone: off }
                patterns:
                  - name: employee_id
                    pattern: 'EMP-[0-9]{6}'
                    mask: '[EMPLOYEE]'
                    maxLength: 10
              promptInjection: { flagAt: 30, blockAt: 70 }
            """);

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("{ flagAt: 0 }", "/spec/inspection/promptInjection/flagAt")]
    [InlineData("{ flagAt: 50, blockAt: 40 }", "/spec/inspection/promptInjection/blockAt")]
    [InlineData("{ blockAt: 101 }", "/spec/inspection/promptInjection/blockAt")]
    public void Load_PromptInjectionThresholdsOutOfOrder_Error(string section, string path)
    {
        var error = Assert.Single(Errors($"inspection:\n  promptInjection: {section}\n"));

        Assert.Equal(path, error.Path);
    }

    [Fact]
    public void Load_InspectionMistakes_EachReportedAtItsLine()
    {
        var errors = Errors("""
            inspection:
              maxBodyBytes: 0
              pii:
                entities: { passport: block }
                patterns:
                  - name: Employee-Id
                    pattern: '(?<=EMP)[0-9]+'
                  - name: anything
                    pattern: '.*'
                    maxLength: 0
            """);

        Assert.Collection(
            errors.OrderBy(e => e.Line).ThenBy(e => e.Path, StringComparer.Ordinal),
            e => Assert.Equal(("/spec/inspection/maxBodyBytes", 7), (e.Path, e.Line)),
            e => Assert.Equal(("/spec/inspection/pii/entities/passport", 9), (e.Path, e.Line)),
            e => Assert.Equal(("/spec/inspection/pii/patterns/0/name", 11), (e.Path, e.Line)),
            e => Assert.Contains("without backtracking", e.Message, StringComparison.Ordinal),
            e => Assert.Contains("matches empty text", e.Message, StringComparison.Ordinal),
            e => Assert.Equal("/spec/inspection/pii/patterns/1/maxLength", e.Path));
    }

    [Fact]
    public void Load_ModelsAndResponseHeaderMistakes_EachReported()
    {
        var errors = Errors("""
            inspection:
              models:
                tenants:
                  - tenants: []
                    maxTokens: 0
              responseHeaders:
                remove: [':status', Server]
                add: { x-envoy-upstream: '1' }
            """);

        Assert.Equal(
            ["/spec/inspection/models/tenants/0/maxTokens", "/spec/inspection/models/tenants/0/tenants", "/spec/inspection/responseHeaders/add/x-envoy-upstream",
                "/spec/inspection/responseHeaders/remove/0", "/spec/inspection/responseHeaders/remove/1"],
            errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Load_TokenBudgetMistakes_EachReported()
    {
        var errors = Errors("""
            tokenBudgets:
              - { name: daily, tokens: 0, window: 1d, tenants: { acme: -1 } }
              - { name: daily, tokens: 10, window: 30s }
            """);

        Assert.Equal(
            ["/spec/tokenBudgets/0/tenants/acme", "/spec/tokenBudgets/0/tokens", "/spec/tokenBudgets/0/window", "/spec/tokenBudgets/1/name", "/spec/tokenBudgets/1/window"],
            errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }
}

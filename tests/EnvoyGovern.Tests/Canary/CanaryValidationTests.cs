using EnvoyGovern.Governance.Policy.Loading;

namespace EnvoyGovern.Tests.Canary;

/// <summary>Canary settings that cannot work are policy errors at their place, all of them at once.</summary>
public sealed class CanaryValidationTests
{
    private const string Policy = """
        apiVersion: governance.envoygovern.io/v1
        kind: GovernancePolicy
        metadata: { name: canaries }
        spec:
          models:
            catalog:
              - name: gpt-4o
                stable: "1"
                versions:
                  - { name: "1", id: gpt-4o-1, cluster: stable }
                  - { name: "2", id: gpt-4o-2, cluster: canary }
                canaries:
                  - name: nov
                    version: "2"
                    weight: 20
                    cohort: { groups: [early-access] }
                    stickiness: { by: header, name: x-session }
                    guardrails: { minSamples: 100, window: 5m, maxErrorRateIncrease: 5 }
          rules:
            - { name: all, effect: allow, when: {} }
        """;

    private static IReadOnlyList<PolicyError> Errors(string text) => PolicyLoader.Load([("p.yaml", text)]).Errors;

    [Fact]
    public void Load_ValidCanary_NoErrors()
    {
        Assert.Empty(Errors(Policy));
    }

    [Theory]
    [InlineData("version: \"2\"", "version: \"9\"", "/spec/models/catalog/0/canaries/0/version", "not one of the model's versions")]
    [InlineData("version: \"2\"", "version: \"1\"", "/spec/models/catalog/0/canaries/0/version", "is the stable version")]
    [InlineData("weight: 20", "weight: 150", "/spec/models/catalog/0/canaries/0/weight", "percentage from 0 to 100")]
    [InlineData("{ by: header, name: x-session }", "{ by: header }", "/spec/models/catalog/0/canaries/0/stickiness/name", "needs the header name")]
    [InlineData("{ by: header, name: x-session }", "{ by: subject, name: x-session }", "/spec/models/catalog/0/canaries/0/stickiness/name", "only for stickiness by header or cookie")]
    [InlineData("maxErrorRateIncrease: 5 }", "maxErrorRateIncrease: 500 }", "/spec/models/catalog/0/canaries/0/guardrails/maxErrorRateIncrease", "percentage points")]
    [InlineData(", maxErrorRateIncrease: 5 }", " }", "/spec/models/catalog/0/canaries/0/guardrails", "never halt")]
    [InlineData("window: 5m", "window: 2s", "/spec/models/catalog/0/canaries/0/guardrails/window", "from 10s to 1h")]
    [InlineData("id: gpt-4o-2, cluster: canary", "id: gpt-4o-2", "/spec/models/catalog/0/versions/1/cluster", "needs a cluster")]
    public void Load_BrokenCanary_ErrorAtItsPath(string find, string replace, string path, string message)
    {
        var error = Assert.Single(Errors(Policy.Replace(find, replace, StringComparison.Ordinal)));

        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.True(error.Line > 1);
    }

    [Fact]
    public void Load_WeightsAboveHundredAndDuplicateName_BothReported()
    {
        var item = Policy.Split('\n').Single(l => l.TrimStart().StartsWith("- name: nov", StringComparison.Ordinal));
        var indent = item[..item.IndexOf('-', StringComparison.Ordinal)];
        var twice = Policy.Replace("maxErrorRateIncrease: 5 }", "maxErrorRateIncrease: 5 }\n" + indent + "- { name: nov, version: \"2\", weight: 90 }", StringComparison.Ordinal);

        var errors = Errors(twice);

        Assert.Contains(errors, e => e.Path == "/spec/models/catalog/0/canaries/1/name" && e.Message.Contains("appears twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "/spec/models/catalog/0/canaries" && e.Message.Contains("110%", StringComparison.Ordinal));
    }
}

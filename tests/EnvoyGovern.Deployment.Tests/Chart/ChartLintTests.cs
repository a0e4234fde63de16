using EnvoyGovern.Deployment.Tests.Helm;

namespace EnvoyGovern.Deployment.Tests.Chart;

/// <summary>`helm lint --strict` passes for every value set, and wrong values are refused before anything renders.</summary>
public sealed class ChartLintTests
{
    public static TheoryData<string> ValueSets => ChartRender.ValueSetData;

    [HelmFact]
    public void Helm_PinnedBinary_IsVersion4()
    {
        var result = HelmCli.Run("version", "--template", "{{.Version}}");

        Assert.True(result.Succeeded, result.ToString());
        Assert.StartsWith("v4.", result.Output.Trim(), StringComparison.Ordinal);
    }

    [HelmTheory]
    [MemberData(nameof(ValueSets))]
    public void Lint_ValueSet_PassesStrict(string valueSet)
    {
        var result = HelmCli.Run(["lint", "--strict", HelmCli.Chart, "--namespace", ChartRender.Namespace, .. ChartRender.ValuesArguments(valueSet)]);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("0 chart(s) failed", result.Output, StringComparison.Ordinal);
    }

    [HelmTheory]
    [InlineData("mode=both", "/mode")]
    [InlineData("combined.replicaCount=two", "/combined/replicaCount")]
    [InlineData("combined.replicaCount=0", "/combined/replicaCount")]
    [InlineData("replicaCount=2", "additional properties 'replicaCount' not allowed")]
    [InlineData("audit.sink=Kafka", "/audit/sink")]
    [InlineData("quotas.store=Postgres", "/quotas/store")]
    [InlineData("tokenBudgets.store=Postgres", "/tokenBudgets/store")]
    [InlineData("hosting.drainDelay=5s", "/hosting/drainDelay")]
    [InlineData("image.pullPolicy=Sometimes", "/image/pullPolicy")]
    [InlineData("podSecurityContext.runAsUser=0", "/podSecurityContext/runAsUser")]
    [InlineData("tls.enabled=yes-please", "/tls/enabled")]
    [InlineData("networkPolicy.enabeld=true", "additional properties 'enabeld' not allowed")]
    [InlineData("policy.files.policy\\.json=x", "'policy.json' does not match pattern")]
    public void Template_WrongValue_RefusedBySchema(string set, string expected) => AssertRefused(set, expected);

    [HelmTheory]
    [InlineData("audit.sink=File", "needs mode separate")]
    [InlineData("quotas.store=Redis", "quotas.redis.existingSecret")]
    [InlineData("tls.enabled=true", "tls.existingSecret")]
    [InlineData("canary.store=Redis", "canary.redis.existingSecret")]
    [InlineData("tokenBudgets.store=Redis", "tokenBudgets.redis.existingSecret")]
    [InlineData("mode=separate,audit.sink=Elasticsearch", "audit.elasticsearch.url")]
    [InlineData("policy.existingConfigMap=gitops-policy,policy.restartOnChange=true", "cannot hash policy.existingConfigMap")]
    public void Template_ValuesThatCannotWorkTogether_FailWithReason(string set, string expected) => AssertRefused(set, expected);

    [HelmFact]
    public void Template_BrokenValuesFile_RefusedBySchema()
    {
        // A values file with a misplaced key (autoscaling under the chart root) and a wrong type.
        var file = Path.Combine(Path.GetTempPath(), $"envoygovern-values-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, "autoscaling:\n  enabled: true\ncombined:\n  autoscaling:\n    maxReplicas: many\n");
        try
        {
            var result = ChartRender.Template(["--values", file]);

            Assert.False(result.Succeeded, result.ToString());
            Assert.Contains("additional properties 'autoscaling' not allowed", result.Error, StringComparison.Ordinal);
            Assert.Contains("/combined/autoscaling/maxReplicas", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static void AssertRefused(string set, string expected)
    {
        var result = ChartRender.Template(["--set", set]);

        Assert.False(result.Succeeded, $"--set {set} rendered: {result}");
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }
}

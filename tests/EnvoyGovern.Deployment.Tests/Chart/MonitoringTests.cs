using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EnvoyGovern.Deployment.Tests.Helm;

namespace EnvoyGovern.Deployment.Tests.Chart;

/// <summary>The dashboard and the alerts ask only for metrics the services export, by their real names.</summary>
public sealed partial class MonitoringTests
{
    private static readonly Lazy<HashSet<string>> _exported = new(ExportedMetrics);

    public static string Dashboard => Path.Combine(HelmCli.Chart, "files", "grafana-dashboard.json");

    [Fact]
    public void Dashboard_EveryQuery_UsesExportedMetrics()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Dashboard))!;
        var queries = dashboard["panels"]!.AsArray()
            .SelectMany(p => p!["targets"]?.AsArray() ?? [])
            .Select(t => (string)t!["expr"]!)
            .ToList();

        Assert.True(queries.Count >= 15, $"{queries.Count} queries");
        Assert.All(queries, q => AssertExported(q));
        Assert.All(dashboard["panels"]!.AsArray().Where(p => (string?)p!["type"] != "row"),
            p => Assert.Equal("${datasource}", (string?)p!["datasource"]!["uid"]));
    }

    [HelmFact]
    public void PrometheusRule_EveryAlert_UsesExportedMetrics()
    {
        var rule = ChartRender.Manifests("separate-full-values.yaml").OfKind("PrometheusRule").Single();
        var alerts = rule.Root["spec"]!["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).ToList();

        Assert.Equal(
            ["EnvoyGovernAuditUnavailable", "EnvoyGovernCanaryHalted", "EnvoyGovernCheckLatencyHigh", "EnvoyGovernDenyRateHigh", "EnvoyGovernErrorRateHigh", "EnvoyGovernExtProcLatencyHigh", "EnvoyGovernPolicyReloadRejected"],
            alerts.Select(a => (string)a!["alert"]!).Order(StringComparer.Ordinal));
        Assert.All(alerts, a => AssertExported((string)a!["expr"]!));
    }

    [Fact]
    public void AssertExported_UnknownMetric_Fails()
    {
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertExported("rate(envoygovern_decisions_total[5m])"));
    }

    private static void AssertExported(string query)
    {
        var used = MetricName().Matches(query).Select(m => m.Value).ToList();
        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.True(
            _exported.Value.Contains(name) || _exported.Value.Contains(HistogramSeries().Replace(name, "")),
            $"{name} (in {query}) is not exported by the services"));
    }

    // Every metric the code creates: the first string argument of Create{Counter,Gauge,Histogram}, as written.
    private static HashSet<string> ExportedMetrics()
    {
        var sources = new[] { "ExtAuthz", "ExtProc", "Governance" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, d), "*.cs", SearchOption.AllDirectories));
        return [.. sources.SelectMany(f => CreatedMetric().Matches(File.ReadAllText(f)).Select(m => m.Groups["name"].Value))];
    }

    [GeneratedRegex(@"envoygovern_[a-z0-9_]+", RegexOptions.NonBacktracking)]
    private static partial Regex MetricName();

    [GeneratedRegex(@"_(bucket|sum|count)$", RegexOptions.NonBacktracking)]
    private static partial Regex HistogramSeries();

    [GeneratedRegex(@"Create(Counter|Gauge|Histogram)\(\s*""(?<name>envoygovern_[a-z0-9_]+)""", RegexOptions.NonBacktracking)]
    private static partial Regex CreatedMetric();
}

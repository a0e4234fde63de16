using System.Collections.Concurrent;
using EnvoyGovern.Deployment.Tests.Kubernetes;

namespace EnvoyGovern.Deployment.Tests.Helm;

/// <summary>
/// `helm template` of the chart for a value set, rendered once per test run. Value sets are the files in the
/// chart's ci/ folder (the chart-testing convention) plus "default" for the chart's own values.
/// </summary>
internal static class ChartRender
{
    public const string Release = "envoy-govern";
    public const string Namespace = "envoy-govern";

    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<Manifest>>> _renders = new(StringComparer.Ordinal);

    public static IEnumerable<string> ValueSets =>
        ["default", .. Directory.EnumerateFiles(Path.Combine(HelmCli.Chart, "ci"), "*-values.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> ValueSetData => [.. ValueSets];

    public static IReadOnlyList<string> ValuesArguments(string valueSet) =>
        valueSet == "default" ? [] : ["--values", Path.Combine(HelmCli.Chart, "ci", valueSet)];

    public static IReadOnlyList<Manifest> Manifests(string valueSet) =>
        _renders.GetOrAdd(valueSet, set => new Lazy<IReadOnlyList<Manifest>>(() => Render(ValuesArguments(set), set))).Value;

    /// <summary>Renders with extra arguments (e.g. --set); throws with helm's message when rendering fails.</summary>
    public static IReadOnlyList<Manifest> Render(IReadOnlyList<string> arguments, string label)
    {
        var result = Template(arguments);
        Assert.True(result.Succeeded, $"helm template ({label}) failed: {result}");
        return ManifestYaml.Load(result.Output, $"helm template ({label})");
    }

    public static HelmResult Template(IReadOnlyList<string> arguments) =>
        HelmCli.Run(["template", Release, HelmCli.Chart, "--namespace", Namespace, .. arguments]);
}

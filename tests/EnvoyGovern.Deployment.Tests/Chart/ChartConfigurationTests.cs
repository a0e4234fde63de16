using System.Reflection;
using System.Text.Json.Nodes;
using EnvoyGovern.Deployment.Tests.Helm;
using EnvoyGovern.Deployment.Tests.Kubernetes;
using EnvoyGovern.Governance.Audit.Delivery;
using EnvoyGovern.Governance.Audit.Recording;
using EnvoyGovern.Governance.Hosting;
using EnvoyGovern.Governance.Policy.Loading;
using EnvoyGovern.Governance.Policy.Runtime;

namespace EnvoyGovern.Deployment.Tests.Chart;

/// <summary>
/// The chart configures the services through settings they really read (a misspelt environment variable is
/// silently ignored by .NET configuration), ships a policy they load, and documents every value.
/// </summary>
public sealed class ChartConfigurationTests
{
    // Configuration section -> the options types bound to it.
    private static readonly Dictionary<string, Type[]> _sections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Policy"] = [typeof(PolicyOptions)],
        ["Hosting"] = [typeof(HostingOptions)],
        ["Audit"] = [typeof(AuditDeliveryOptions), typeof(AuditRecordingOptions)],
        ["Quotas"] = [typeof(ExtAuthz.Quotas.QuotaOptions)],
        ["Waf"] = [typeof(ExtProc.Waf.Inspection.WafOptions)],
        ["Canary"] = [typeof(Governance.Canary.CanaryOptions)],
        ["TokenBudgets"] = [typeof(Governance.TokenBudgets.TokenBudgetOptions)],
    };

    private static readonly string[] _kestrelEndpointSettings =
        ["Url", "Protocols", "Certificate__Path", "Certificate__KeyPath", "ClientCertificateMode"];

    public static TheoryData<string> ValueSets => ChartRender.ValueSetData;

    [HelmTheory]
    [MemberData(nameof(ValueSets))]
    public void Template_EveryEnvironmentVariable_IsASettingTheServicesRead(string valueSet)
    {
        var names = ChartRender.Manifests(valueSet).OfKind("Deployment").SelectMany(d => d.Containers()).SelectMany(c => c.Env()).Select(e => e.Name).Distinct();

        Assert.All(names, name => Assert.True(IsKnownSetting(name), $"{name} is not a setting of the services"));
    }

    [Theory]
    [InlineData("Policy__Directory", true)]
    [InlineData("Audit__Elasticsearch__ApiKey", true)]
    [InlineData("Audit__Headers__0", true)]
    [InlineData("ExtAuthz__Kestrel__Endpoints__Grpc__Certificate__KeyPath", true)]
    [InlineData("Policy__Directroy", false)]
    [InlineData("Quotas__Redis__Configurations", false)]
    [InlineData("Kestrel__Endpoints__Metrics__Url", false)]
    public void IsKnownSetting_NameOrTypo_Decides(string name, bool known)
    {
        Assert.Equal(known, IsKnownSetting(name));
    }

    [Fact]
    public void DefaultDenyPolicy_LoadsAsAValidPolicy()
    {
        using var directory = new PolicyDirectory(("default-deny.yaml", File.ReadAllText(Path.Combine(HelmCli.Chart, "files", "default-deny.yaml"))));

        var result = PolicyLoader.LoadDirectory(directory.Path);

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
    }

    [Fact]
    public void Readme_ListsEveryValue()
    {
        var readme = File.ReadAllText(Path.Combine(HelmCli.Chart, "README.md"));
        var values = ManifestYaml.LoadNode(File.ReadAllText(Path.Combine(HelmCli.Chart, "values.yaml")))!.AsObject();

        var missing = ValuePaths(values, "").Distinct(StringComparer.Ordinal).Where(path => !readme.Contains($"`{path}`", StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, "chart README.md does not list: " + string.Join(", ", missing));
    }

    // Leaves of values.yaml, with the three workload sections folded into `<workload>` (they share keys) and
    // free-form maps (resources, volumes, labels, selectors) named as a whole.
    private static IEnumerable<string> ValuePaths(JsonObject node, string prefix)
    {
        foreach (var (key, value) in node)
        {
            var path = prefix.Length == 0 && key is "combined" or "extAuthz" or "extProc" ? "<workload>" : prefix.Length == 0 ? key : $"{prefix}.{key}";
            var freeForm = key is "resources" or "volume" or "files" or "labels" || key.EndsWith("Selector", StringComparison.Ordinal);
            if (value is JsonObject child && child.Count > 0 && !freeForm)
            {
                foreach (var leaf in ValuePaths(child, path))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    private static bool IsKnownSetting(string name)
    {
        var parts = name.Split("__");
        if (parts is ["ExtAuthz" or "ExtProc", "Kestrel", ..])
        {
            parts = parts[1..];
        }

        if (parts is ["Kestrel", "Endpoints", "Grpc" or "Admin", .. var setting])
        {
            return _kestrelEndpointSettings.Contains(string.Join("__", setting), StringComparer.Ordinal);
        }

        if (parts is ["Logging", "MinimumLevel"])
        {
            return true;
        }

        return parts.Length > 1 && _sections.TryGetValue(parts[0], out var types) && types.Any(t => Resolves(t, parts[1..]));
    }

    private static bool Resolves(Type type, string[] path)
    {
        if (path.Length == 0)
        {
            return true;
        }

        // A list setting (Audit__Headers__0) ends in an index.
        if (path is [var index] && int.TryParse(index, out _) && type != typeof(string) && type.IsAssignableTo(typeof(System.Collections.IEnumerable)))
        {
            return true;
        }

        if (type == typeof(string) || type.IsValueType)
        {
            return false;
        }

        var property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        return property is not null && Resolves(property.PropertyType, path[1..]);
    }
}

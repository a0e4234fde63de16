using EnvoyGovern.Deployment.Tests.Controllers;
using EnvoyGovern.Deployment.Tests.Helm;

namespace EnvoyGovern.Deployment.Tests.Chart;

/// <summary>Availability, access control and change control in the rendered chart.</summary>
public sealed class ChartBehaviourTests
{
    public static TheoryData<string> ValueSets => ChartRender.ValueSetData;

    [HelmTheory]
    [MemberData(nameof(ValueSets))]
    public void Template_PodDisruptionBudget_OnlyWhenMoreThanOneReplica(string valueSet)
    {
        var manifests = ChartRender.Manifests(valueSet);

        Assert.All(manifests.OfKind("Deployment"), deployment =>
        {
            var budget = manifests.OfKind("PodDisruptionBudget").SingleOrDefault(p => p.Name == deployment.Name);
            Assert.Equal(deployment.MinReplicas(manifests) > 1, budget is not null);
        });
    }

    [HelmTheory]
    [MemberData(nameof(ValueSets))]
    public void Template_Services_MatchWhatTheControllersReference(string valueSet)
    {
        var services = ChartRender.Manifests(valueSet).OfKind("Service").ToDictionary(s => s.Name, StringComparer.Ordinal);

        foreach (var (name, port) in new[] { ("envoy-govern-extauthz", 9001L), ("envoy-govern-extproc", 9002L) })
        {
            var grpc = services[name].Root["spec"]!["ports"]!.AsArray().Single()!;
            Assert.Equal((port, "grpc"), ((long?)grpc["port"], (string?)grpc["name"]));
            var component = (string?)services[name].Root["spec"]!["selector"]!["app.kubernetes.io/component"];
            Assert.Contains(ChartRender.Manifests(valueSet).OfKind("Deployment"), d => (string?)d.Root["spec"]!["selector"]!["matchLabels"]!["app.kubernetes.io/component"] == component);
        }

        Assert.Contains("envoy-govern-extauthz.envoy-govern:9001", File.ReadAllText(Path.Combine(ControllerManifests.Directory, "emissary/authservice.yaml")), StringComparison.Ordinal);
    }

    [HelmFact]
    public void Template_SeparateWithRedisTokenBudgets_BothServicesShareTheStoreFromTheSecret()
    {
        // ExtProc counts the tokens and ExtAuthz refuses on them: both must point at the same store.
        var servers = ChartRender.Manifests("separate-full-values.yaml").OfKind("Deployment").Select(d => d.Containers().First()).ToList();

        Assert.Equal(2, servers.Count);
        Assert.All(servers, container =>
        {
            Assert.Equal("Redis", container.EnvValue("TokenBudgets__Store"));
            var configuration = container["env"]!.AsArray().Single(e => (string?)e!["name"] == "TokenBudgets__Redis__Configuration")!;
            Assert.Null(configuration["value"]);
            Assert.Equal("envoy-govern-redis", (string?)configuration["valueFrom"]!["secretKeyRef"]!["name"]);
        });
        Assert.Equal("Memory", ChartRender.Manifests("default").OfKind("Deployment").Single().Containers().First().EnvValue("TokenBudgets__Store"));
    }

    [HelmFact]
    public void Template_ServiceAccount_GetsNoKubernetesApiRights()
    {
        var manifests = ChartRender.Manifests("separate-full-values.yaml");
        var account = manifests.OfKind("ServiceAccount").Single();

        Assert.False(account.Root["automountServiceAccountToken"].Bool());
        Assert.All(manifests.OfKind("RoleBinding"), binding =>
            Assert.DoesNotContain(binding.Root["subjects"]!.AsArray(), s => (string?)s!["kind"] == "ServiceAccount" && (string?)s["name"] == account.Name));
        Assert.DoesNotContain(manifests, m => m.Kind is "ClusterRole" or "ClusterRoleBinding");
    }

    [HelmFact]
    public void Template_PolicyEditors_MayOnlyEditThePolicyConfigMap()
    {
        var manifests = ChartRender.Manifests("separate-full-values.yaml");
        var rule = manifests.OfKind("Role").Single().Root["rules"]!.AsArray().Single()!;
        var subjects = manifests.OfKind("RoleBinding").Single().Root["subjects"]!.AsArray();

        Assert.Equal(["envoy-govern-policy"], rule["resourceNames"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(["configmaps"], rule["resources"]!.AsArray().Select(n => (string?)n));
        Assert.DoesNotContain(rule["verbs"]!.AsArray(), v => (string?)v is "create" or "delete" or "*");
        Assert.Equal(["Group platform-governance", "ServiceAccount policy-ci"], subjects.Select(s => $"{s!["kind"]} {s["name"]}"));
        Assert.Empty(ChartRender.Manifests("default").OfKind("Role"));
    }

    [HelmFact]
    public void Template_NetworkPolicy_GrpcOnlyFromIngressAdminOnlyFromMonitoring()
    {
        var policy = ChartRender.Manifests("default").OfKind("NetworkPolicy").Single().Root["spec"]!;
        var rules = policy["ingress"]!.AsArray();

        Assert.Equal(["Ingress"], policy["policyTypes"]!.AsArray().Select(t => (string?)t));
        Assert.Equal(2, rules.Count);
        Assert.Equal("ingress", Namespace(rules[0]!));
        Assert.Equal([9001, 9002], Ports(rules[0]!));
        Assert.Equal("monitoring", Namespace(rules[1]!));
        Assert.Equal([9101, 9102], Ports(rules[1]!));

        static string? Namespace(System.Text.Json.Nodes.JsonNode rule) =>
            (string?)rule["from"]!.AsArray().Single()!["namespaceSelector"]!["matchLabels"]!["kubernetes.io/metadata.name"];

        static long[] Ports(System.Text.Json.Nodes.JsonNode rule) => [.. rule["ports"]!.AsArray().Select(p => (long)p!["port"]!)];
    }

    [HelmFact]
    public void Template_ChecksumAnnotation_OnlyWhenOptedInAndFollowsThePolicy()
    {
        static string? Checksum(params string[] set) =>
            (string?)ChartRender.Render([.. set.SelectMany(s => new[] { "--set", s })], string.Join(',', set))
                .OfKind("Deployment").Single().Root["spec"]!["template"]!["metadata"]!["annotations"]?["checksum/policy"];

        Assert.Null(ChartRender.Manifests("default").OfKind("Deployment").Single().Root["spec"]!["template"]!["metadata"]!["annotations"]);
        var first = Checksum("policy.restartOnChange=true");
        var second = Checksum("policy.restartOnChange=true", "policy.files.a\\.yaml=kind: GovernancePolicy");
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.NotEqual(first, second);
    }

    [HelmFact]
    public void Template_DefaultPolicy_IsTheChartsDefaultDeny()
    {
        var configMap = ChartRender.Manifests("default").OfKind("ConfigMap").Single();

        Assert.Equal("envoy-govern-policy", configMap.Name);
        Assert.Equal(
            File.ReadAllText(Path.Combine(HelmCli.Chart, "files", "default-deny.yaml")).TrimEnd(),
            ((string?)configMap.Root["data"]!["default-deny.yaml"])!.TrimEnd());
    }
}

using System.Text.Json.Nodes;
using EnvoyGovern.Deployment.Tests.Helm;
using EnvoyGovern.Deployment.Tests.Kubernetes;

namespace EnvoyGovern.Deployment.Tests.Chart;

/// <summary>
/// `helm template` output for every value set: valid against Kubernetes' types and the CRD schemas, hardened
/// (restricted security context on every container), probed through gRPC health, policy mounted as a directory.
/// </summary>
public sealed class ChartManifestTests
{
    public static TheoryData<string> ValueSets => ChartRender.ValueSetData;

    [HelmTheory]
    [MemberData(nameof(ValueSets))]
    public void Template_ValueSet_ValidatesAgainstKubernetesAndCrdSchemas(string valueSet)
    {
        var manifests = ChartRender.Manifests(valueSet);

        Assert.NotEmpty(manifests);
        var errors = ManifestValidator.ValidateAll(manifests);
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [HelmTheory]
    [InlineData("readOnlyRootFilesystem", "\"yes\"", "readOnlyRootFilesystem")]
    [InlineData("readOnlyRootFilesystm", "true", "'readOnlyRootFilesystm' could not be mapped")]
    [InlineData("allowPrivilegeEscalation", "0", "allowPrivilegeEscalation")]
    public void Validate_BrokenCopyOfRenderedDeployment_Fails(string field, string json, string expected)
    {
        var deployment = ChartRender.Manifests("default").OfKind("Deployment").Single();
        var copy = (JsonObject)deployment.Root.DeepClone();
        copy["spec"]!["template"]!["spec"]!["containers"]![0]!["securityContext"]![field] = JsonNode.Parse(json);

        var errors = ManifestValidator.Validate(new Manifest("broken copy", copy));

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [HelmTheory]
    [InlineData("default", new[] { "ConfigMap", "Deployment", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount" })]
    [InlineData("separate-full-values.yaml", new[] { "ConfigMap", "Deployment", "HorizontalPodAutoscaler", "NetworkPolicy", "PodDisruptionBudget", "PrometheusRule", "Role", "RoleBinding", "Service", "ServiceAccount", "ServiceMonitor" })]
    [InlineData("existing-configmap-values.yaml", new[] { "Deployment", "HorizontalPodAutoscaler", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount" })]
    [InlineData("single-replica-values.yaml", new[] { "ConfigMap", "Deployment", "Service", "ServiceAccount" })]
    public void Template_ValueSet_RendersExpectedKinds(string valueSet, string[] kinds)
    {
        Assert.Equal(kinds, ChartRender.Manifests(valueSet).Select(m => m.Kind).Distinct().Order(StringComparer.Ordinal));
    }

    [HelmTheory]
    [InlineData("default", new[] { "envoy-govern" })]
    [InlineData("separate-full-values.yaml", new[] { "envoy-govern-extauthz", "envoy-govern-extproc" })]
    public void Template_Mode_DecidesTheDeployments(string valueSet, string[] deployments)
    {
        Assert.Equal(deployments, ChartRender.Manifests(valueSet).OfKind("Deployment").Select(d => d.Name).Order(StringComparer.Ordinal));
    }

    [HelmTheory]
    [MemberData(nameof(ValueSets))]
    public void Template_EveryContainer_HasRestrictedSecurityContext(string valueSet)
    {
        Assert.All(ChartRender.Manifests(valueSet).OfKind("Deployment"), deployment =>
        {
            var pod = deployment.PodSpec();
            Assert.True(pod["securityContext"]!["runAsNonRoot"].Bool(), $"{deployment}: pod runAsNonRoot");
            Assert.Equal("RuntimeDefault", (string?)pod["securityContext"]!["seccompProfile"]!["type"]);
            Assert.False(pod["automountServiceAccountToken"].Bool(), $"{deployment}: service account token mounted");
            Assert.NotEqual(0L, (long?)pod["securityContext"]!["runAsUser"] ?? -1);
            Assert.All(deployment.Containers(), container =>
            {
                var context = container["securityContext"]!;
                Assert.True(context["runAsNonRoot"].Bool(), $"{deployment} {container["name"]}: runAsNonRoot");
                Assert.True(context["readOnlyRootFilesystem"].Bool(), $"{deployment} {container["name"]}: readOnlyRootFilesystem");
                Assert.False(context["allowPrivilegeEscalation"]?.GetValue<bool>() ?? true, $"{deployment} {container["name"]}: allowPrivilegeEscalation");
                Assert.False(context["privileged"].Bool());
                Assert.Equal(["ALL"], context["capabilities"]!["drop"]!.AsArray().Select(c => (string?)c));
                Assert.Null(context["capabilities"]!["add"]);
                Assert.Equal("RuntimeDefault", (string?)context["seccompProfile"]!["type"]);
            });
        });
    }

    [HelmTheory]
    [InlineData("default", "envoy-govern", 9001, "envoy.service.auth.v3.Authorization")]
    [InlineData("existing-configmap-values.yaml", "envoy-govern", 9001, "envoy.service.auth.v3.Authorization")]
    [InlineData("single-replica-values.yaml", "envoy-govern-extauthz", 9001, "envoy.service.auth.v3.Authorization")]
    [InlineData("single-replica-values.yaml", "envoy-govern-extproc", 9002, "envoy.service.ext_proc.v3.ExternalProcessor")]
    public void Template_Probes_ReadinessAndStartupOnGrpcHealth(string valueSet, string deployment, int port, string service)
    {
        var container = ChartRender.Manifests(valueSet).OfKind("Deployment").Single(d => d.Name == deployment).Containers().Single();

        foreach (var probe in new[] { "readinessProbe", "startupProbe" })
        {
            var grpc = container[probe]!["grpc"]!;
            Assert.Equal((port, service), ((int)(long)grpc["port"]!, (string?)grpc["service"]));
        }

        Assert.Equal("/healthz", (string?)container["livenessProbe"]!["httpGet"]!["path"]);
    }

    [HelmFact]
    public void Template_WithTls_ProbesUseAdminReadyz()
    {
        // kubelet's gRPC probe cannot speak TLS; /readyz on the plain admin port reports the same checks.
        Assert.All(ChartRender.Manifests("separate-full-values.yaml").OfKind("Deployment").SelectMany(d => d.Containers()), container =>
        {
            Assert.Null(container["readinessProbe"]!["grpc"]);
            Assert.Equal("/readyz", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
            Assert.Equal("/readyz", (string?)container["startupProbe"]!["httpGet"]!["path"]);
            Assert.StartsWith("https://", container.Env().Single(e => e.Name.EndsWith("__Grpc__Url", StringComparison.Ordinal)).Value, StringComparison.Ordinal);
            Assert.Equal("RequireCertificate", container.EnvValue("Kestrel__Endpoints__Grpc__ClientCertificateMode"));
        });
    }

    [HelmTheory]
    [MemberData(nameof(ValueSets))]
    public void Template_PolicyVolume_IsADirectoryMountWithoutSubPath(string valueSet)
    {
        Assert.All(ChartRender.Manifests(valueSet).OfKind("Deployment"), deployment =>
        {
            var container = deployment.Containers().Single();
            var mounts = container["volumeMounts"]!.AsArray().Cast<JsonObject>().ToList();
            // subPath mounts never see ConfigMap updates: hot reload would silently stop working.
            Assert.All(mounts, m => Assert.Null(m["subPath"] ?? m["subPathExpr"]));
            var policy = mounts.Single(m => (string?)m["name"] == "policy");
            Assert.Equal("/etc/envoy-govern/policy", (string?)policy["mountPath"]);
            Assert.True(policy["readOnly"].Bool());
            Assert.Equal("/etc/envoy-govern/policy", container.EnvValue("Policy__Directory"));
            var volume = deployment.PodSpec()["volumes"]!.AsArray().Single(v => (string?)v!["name"] == "policy")!;
            Assert.Null(volume["configMap"]!["items"]);
        });
    }

    [HelmTheory]
    [MemberData(nameof(ValueSets))]
    public void Template_WritablePaths_AreVolumesOnly(string valueSet)
    {
        // With a read-only root filesystem, every path the services write must be a volume.
        Assert.All(ChartRender.Manifests(valueSet).OfKind("Deployment"), deployment =>
        {
            var container = deployment.Containers().Single();
            var mounted = container["volumeMounts"]!.AsArray().Select(m => (string)m!["mountPath"]!).ToHashSet(StringComparer.Ordinal);
            Assert.Contains("/tmp", mounted);
            foreach (var setting in new[] { "Audit__QueueDirectory", "Audit__File__Directory" })
            {
                if (container.EnvValue(setting) is { } path)
                {
                    Assert.Contains(path, mounted);
                }
            }
        });
    }
}

namespace EnvoyGovern.Deployment.Tests.Kubernetes;

/// <summary>The validators refuse what the API server would refuse, for built-in kinds and CRDs alike.</summary>
public sealed class ManifestValidatorTests
{
    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: d }
        spec:
          replicas: 2
          selector: { matchLabels: { app: d } }
          strategy: { type: RollingUpdate, rollingUpdate: { maxUnavailable: 0, maxSurge: 25% } }
          template:
            metadata: { labels: { app: d } }
            spec:
              containers:
                - name: c
                  image: example/image:1
                  imagePullPolicy: IfNotPresent
                  ports: [{ containerPort: 9001, protocol: TCP }]
        """;

    private const string ExtensionService = """
        apiVersion: projectcontour.io/v1alpha1
        kind: ExtensionService
        metadata: { name: e, namespace: ns }
        spec:
          protocol: h2c
          services: [{ name: s, port: 9001 }]
        """;

    [Fact]
    public void Validate_ValidDeployment_HasNoErrors()
    {
        Assert.Empty(ManifestValidator.ValidateAll(Load(Deployment)));
    }

    [Theory]
    [InlineData("replicas: 2", "replicaz: 2", "'replicaz' could not be mapped")]
    [InlineData("replicas: 2", "replicas: \"2\"", "$.spec.replicas")]
    [InlineData("replicas: 2", "replicas: [2]", "$.spec.replicas")]
    [InlineData("imagePullPolicy: IfNotPresent", "imagePullPolicy: Sometimes", "imagePullPolicy: \"Sometimes\" is not one of")]
    [InlineData("protocol: TCP", "protocol: tcp", "protocol: \"tcp\" is not one of")]
    [InlineData("image: example/image:1", "imag: example/image:1", "'imag' could not be mapped")]
    public void Validate_BrokenDeployment_ReportsIt(string from, string to, string expected)
    {
        var errors = ManifestValidator.ValidateAll(Load(Replace(Deployment, from, to)));

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_DeploymentWithoutImage_ReportsRequiredField()
    {
        var errors = ManifestValidator.ValidateAll(Load(Replace(Deployment, "image: example/image:1", "")));

        Assert.Contains(errors, e => e.Contains("spec.template.spec.containers.0.image: required", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ValidCustomResource_HasNoErrors()
    {
        Assert.Empty(ManifestValidator.ValidateAll(Load(ExtensionService)));
    }

    [Theory]
    [InlineData("protocol: h2c", "protocol: http2", "/spec/protocol: enum")]
    [InlineData("protocol: h2c", "protocl: h2c", "/spec/protocl: unknown field")]
    [InlineData("port: 9001", "port: \"9001\"", "/spec/services/0/port: type")]
    [InlineData("services: [{ name: s, port: 9001 }]", "services: [{ port: 9001 }]", "/spec/services/0: required")]
    [InlineData("metadata: { name: e, namespace: ns }", "metadata: { name: e, namespace: ns, label: {} }", "/metadata/label: unknown field")]
    [InlineData("kind: ExtensionService", "kind: ExtensionServices", "no schema for projectcontour.io/v1alpha1 ExtensionServices")]
    public void Validate_BrokenCustomResource_ReportsIt(string from, string to, string expected)
    {
        var errors = ManifestValidator.ValidateAll(Load(Replace(ExtensionService, from, to)));

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_IntOrStringAndPreservedFields_AreAccepted()
    {
        // backendSettings.connection.bufferLimit is int-or-string; an EnvoyFilter patch value keeps unknown fields.
        const string yaml = """
            apiVersion: networking.istio.io/v1alpha3
            kind: EnvoyFilter
            metadata: { name: f, namespace: ns }
            spec:
              configPatches:
                - applyTo: HTTP_FILTER
                  patch: { operation: MERGE, value: { anything: { goes: 1 } } }
            """;

        Assert.Empty(ManifestValidator.ValidateAll(Load(yaml)));
    }

    [Fact]
    public void SchemaCatalog_SharedCrds_CoverEveryControllerKind()
    {
        string[] kinds =
        [
            "projectcontour.io/v1 HTTPProxy", "projectcontour.io/v1alpha1 ExtensionService", "projectcontour.io/v1alpha1 ContourConfiguration",
            "getambassador.io/v3alpha1 AuthService", "getambassador.io/v3alpha1 Mapping",
            "gateway.envoyproxy.io/v1alpha1 SecurityPolicy", "gateway.envoyproxy.io/v1alpha1 EnvoyExtensionPolicy",
            "gateway.networking.k8s.io/v1 HTTPRoute", "gateway.networking.k8s.io/v1beta1 ReferenceGrant",
            "security.istio.io/v1 AuthorizationPolicy", "networking.istio.io/v1alpha3 EnvoyFilter", "networking.istio.io/v1 VirtualService",
            "monitoring.coreos.com/v1 ServiceMonitor", "monitoring.coreos.com/v1 PrometheusRule",
        ];

        Assert.All(kinds, k => Assert.True(SchemaCatalog.Instance.Contains(k.Split(' ')[0], k.Split(' ')[1]), k));
    }

    internal static IReadOnlyList<Manifest> Load(string yaml) => ManifestYaml.Load(yaml, "inline");

    internal static string Replace(string text, string from, string to)
    {
        Assert.Contains(from, text, StringComparison.Ordinal);
        var at = text.IndexOf(from, StringComparison.Ordinal);
        return string.Concat(text.AsSpan(0, at), to, text.AsSpan(at + from.Length));
    }
}

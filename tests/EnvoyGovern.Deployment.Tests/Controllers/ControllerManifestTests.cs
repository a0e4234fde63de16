using System.Text.Json;
using EnvoyGovern.Deployment.Tests.Kubernetes;
using Json.Schema;

namespace EnvoyGovern.Deployment.Tests.Controllers;

/// <summary>
/// Every manifest for Contour, Emissary, Envoy Gateway and Istio validates against its CRD from
/// ../shared/data/crds, the Envoy configuration inside Istio's EnvoyFilter parses strictly, and a broken copy
/// of each fails.
/// </summary>
public sealed class ControllerManifestTests
{
    public static TheoryData<string> Files => ControllerManifests.FileData;

    [Fact]
    public void Files_EachController_HasManifestsAndReadme()
    {
        Assert.All(ControllerManifests.Controllers, c =>
        {
            Assert.Contains(ControllerManifests.Files, f => f.StartsWith(c + "/", StringComparison.Ordinal));
            Assert.True(File.Exists(Path.Combine(ControllerManifests.Directory, c, "README.md")), $"{c}/README.md");
        });
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Validate_ControllerManifest_MatchesItsSchema(string file)
    {
        var manifests = ControllerManifests.Load(file);

        Assert.NotEmpty(manifests);
        Assert.All(manifests, m => Assert.True(SchemaCatalog.Instance.Contains(m.ApiVersion, m.Kind), $"{m}: no CRD for it"));
        var errors = ManifestValidator.ValidateAll(manifests);
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Theory]
    [InlineData("contour/httpproxy.yaml", "failOpen: false", "failOpen: \"false\"", "/spec/virtualhost/authorization/failOpen: type")]
    [InlineData("contour/extension-service.yaml", "protocol: h2c", "protocol: grpc", "/spec/protocol: enum")]
    [InlineData("contour/contour-configuration.yaml", "responseTimeout: 250ms", "responseTimeOut: 250ms", "/spec/globalExtAuth/responseTimeOut: unknown field")]
    [InlineData("emissary/authservice.yaml", "protocol_version: v3", "protocol_version: v4", "/spec/protocol_version: enum")]
    [InlineData("emissary/authservice.yaml", "timeout_ms: 250", "timeout_ms: 250ms", "/spec/timeout_ms: type")]
    [InlineData("emissary/mappings.yaml", "bypass_auth: false", "bypassAuth: false", "/spec/bypassAuth: unknown field")]
    [InlineData("envoy-gateway/securitypolicy.yaml", "statusOnError: 503", "statusOnError: 599", "/spec/extAuth/statusOnError: enum")]
    [InlineData("envoy-gateway/envoyextensionpolicy.yaml", "messageTimeout: 200ms", "messageTimeout: 0.2s", "/spec/extProc/0/messageTimeout: pattern")]
    [InlineData("envoy-gateway/httproute.yaml", "type: Exact", "type: Equals", "/spec/rules/0/matches/0/headers/0/type: enum")]
    [InlineData("envoy-gateway/referencegrant.yaml", "kind: Service", "kinds: Service", "/spec/to/0/kinds: unknown field")]
    [InlineData("istio/authorizationpolicy.yaml", "action: CUSTOM", "action: EXTERNAL", "/spec/action: enum")]
    [InlineData("istio/envoyfilter.yaml", "operation: INSERT_BEFORE", "operation: INSERT", "/spec/configPatches/0/patch/operation: enum")]
    [InlineData("istio/virtualservice.yaml", "gateways: [istio-system/ingressgateway]", "gateway: [istio-system/ingressgateway]", "/spec/gateway: unknown field")]
    public void Validate_BrokenCopyOfManifest_FailsAtThatField(string file, string from, string to, string expected)
    {
        var text = ManifestValidatorTests.Replace(File.ReadAllText(Path.Combine(ControllerManifests.Directory, file)), from, to);

        var errors = ManifestValidator.ValidateAll(ManifestYaml.Load(text, file));

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void EnvoyFilter_PatchValues_ParseStrictlyAsEnvoyHttpFilters()
    {
        var patches = ControllerManifests.EnvoyFilterPatches(ControllerManifests.Load("istio/envoyfilter.yaml")).ToList();

        Assert.Equal(2, patches.Count);
        Assert.All(patches, p =>
        {
            var errors = ControllerManifests.ValidateHttpFilter(p.Value);
            Assert.True(errors.Count == 0, $"{p.Where}: {string.Join(Environment.NewLine, errors)}");
        });
    }

    [Theory]
    [InlineData("failure_mode_allow: false", "failure_mode_allow: nope", "failure_mode_allow")]
    [InlineData("request_body_mode: NONE", "request_body_mode: SOMETIMES", "'SOMETIMES' is not a value")]
    [InlineData("clear_route_cache: true", "clear_route_cashe: true", "unknown field")]
    [InlineData("v3.ExternalProcessor", "v3.ExternalProcesor", "unknown type")]
    public void EnvoyFilter_BrokenPatchValue_FailsEnvoyParse(string from, string to, string expected)
    {
        var path = Path.Combine(ControllerManifests.Directory, "istio/envoyfilter.yaml");
        var text = ManifestValidatorTests.Replace(File.ReadAllText(path), from, to);

        var errors = ControllerManifests.EnvoyFilterPatches(ManifestYaml.Load(text, "broken envoyfilter.yaml"))
            .SelectMany(p => ControllerManifests.ValidateHttpFilter(p.Value));

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void MeshConfig_ExtensionProvider_MatchesMeshConfigFields()
    {
        Assert.Empty(ValidateMeshConfig(File.ReadAllText(Path.Combine(ControllerManifests.Directory, ControllerManifests.MeshConfig))));
    }

    [Theory]
    [InlineData("failOpen: false", "failOpen: \"no\"")]
    [InlineData("timeout: 0.25s", "timeout: 250ms")]
    [InlineData("port: 9001", "prot: 9001")]
    [InlineData("statusOnError: \"503\"", "statusOnError: 503")]
    public void MeshConfig_BrokenCopy_Fails(string from, string to)
    {
        var text = ManifestValidatorTests.Replace(File.ReadAllText(Path.Combine(ControllerManifests.Directory, ControllerManifests.MeshConfig)), from, to);

        Assert.NotEmpty(ValidateMeshConfig(text));
    }

    private static IReadOnlyList<string> ValidateMeshConfig(string yaml)
    {
        var schema = JsonSchema.FromText(SchemaCatalog.ReadSchemaFile("istio-meshconfig.schema.json").ToJsonString());
        var result = schema.Evaluate(JsonSerializer.SerializeToElement(ManifestYaml.LoadNode(yaml)), new EvaluationOptions { OutputFormat = OutputFormat.List });
        return [.. (result.Details ?? []).Where(d => !d.IsValid && d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))];
    }
}

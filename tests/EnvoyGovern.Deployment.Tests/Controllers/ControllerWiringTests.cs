using System.Text.Json.Nodes;
using ExtAuthzFilter = Envoy.Extensions.Filters.Http.ExtAuthz.V3.ExtAuthz;
using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using EnvoyGovern.Deployment.Tests.Kubernetes;
using EnvoyGovern.EnvoyConfig;

namespace EnvoyGovern.Deployment.Tests.Controllers;

/// <summary>
/// What the design needs from every controller's wiring: the chart's Services and ports, fail closed, Envoy's
/// v3 API, and, where the controller can do it, routing by the header ExtAuthz sets after the check.
/// </summary>
public sealed class ControllerWiringTests
{
    private const string ExtAuthzService = "envoy-govern-extauthz";
    private const string ExtProcService = "envoy-govern-extproc";

    [Fact]
    public void Contour_ExtensionServiceAndAuthorization_FailClosedToExtAuthz()
    {
        var extension = ControllerManifests.Single("contour/extension-service.yaml", "ExtensionService").Root["spec"]!;
        var proxy = ControllerManifests.Single("contour/httpproxy.yaml", "HTTPProxy").Root["spec"]!;
        var global = ControllerManifests.Single("contour/contour-configuration.yaml", "ContourConfiguration").Root["spec"]!["globalExtAuth"]!;

        Assert.Equal(("h2c", "v3"), ((string?)extension["protocol"], (string?)extension["protocolVersion"]));
        Assert.Equal((ExtAuthzService, 9001L), ((string?)extension["services"]![0]!["name"], (long?)extension["services"]![0]!["port"]));
        foreach (var authorization in new[] { proxy["virtualhost"]!["authorization"]!, global })
        {
            Assert.False((bool)authorization["failOpen"]!);
            Assert.Equal((ExtAuthzService, "envoy-govern"), ((string?)authorization["extensionRef"]!["name"], (string?)authorization["extensionRef"]!["namespace"]));
        }

        Assert.NotNull(proxy["virtualhost"]!["tls"]);
        AssertCanaryRouteFirst(proxy["routes"]!.AsArray(), r => r["conditions"]!.AsArray().Any(c => (string?)c!["header"]?["name"] == "x-governance-cluster"));
    }

    [Fact]
    public void Emissary_AuthService_GrpcV3FailClosedWithBody()
    {
        var spec = ControllerManifests.Single("emissary/authservice.yaml", "AuthService").Root["spec"]!;

        Assert.Equal($"{ExtAuthzService}.envoy-govern:9001", (string?)spec["auth_service"]);
        Assert.Equal(("grpc", "v3"), ((string?)spec["proto"], (string?)spec["protocol_version"]));
        Assert.False((bool)spec["failure_mode_allow"]!);
        Assert.Equal(503L, (long?)spec["status_on_error"]!["code"]);
        Assert.True((bool)spec["include_body"]!["allow_partial"]!);
    }

    [Fact]
    public void Emissary_Mappings_GovernedUnlessExplicitlyBypassed()
    {
        var mappings = ControllerManifests.Load("emissary/mappings.yaml");

        Assert.All(mappings.Where(m => ((string?)m.Root["spec"]!["prefix"])!.StartsWith("/v1/", StringComparison.Ordinal)),
            m => Assert.False((bool)m.Root["spec"]!["bypass_auth"]!, m.ToString()));
        Assert.Single(mappings, m => (string?)m.Root["spec"]!["headers"]?["x-governance-cluster"] == "upstream_canary");
    }

    [Fact]
    public void EnvoyGateway_Policies_FailClosedRecomputeRouteAndReachTheChart()
    {
        var security = ControllerManifests.Single("envoy-gateway/securitypolicy.yaml", "SecurityPolicy").Root["spec"]!;
        var extension = ControllerManifests.Single("envoy-gateway/envoyextensionpolicy.yaml", "EnvoyExtensionPolicy").Root["spec"]!;
        var route = ControllerManifests.Single("envoy-gateway/httproute.yaml", "HTTPRoute").Root["spec"]!;
        var grant = ControllerManifests.Single("envoy-gateway/referencegrant.yaml", "ReferenceGrant").Root["spec"]!;

        var extAuth = security["extAuth"]!;
        Assert.False((bool)extAuth["failOpen"]!);
        Assert.True((bool)extAuth["recomputeRoute"]!);
        Assert.Equal((ExtAuthzService, 9001L), ((string?)extAuth["grpc"]!["backendRefs"]![0]!["name"], (long?)extAuth["grpc"]!["backendRefs"]![0]!["port"]));
        var extProc = extension["extProc"]![0]!;
        Assert.False((bool)extProc["failOpen"]!);
        Assert.True((bool)extProc["processingMode"]!["allowModeOverride"]!);
        Assert.Equal((ExtProcService, 9002L), ((string?)extProc["backendRefs"]![0]!["name"], (long?)extProc["backendRefs"]![0]!["port"]));
        // CEL rules the schema check does not evaluate: backendRefs (not backendRef), and one target form.
        Assert.Null(extProc["backendRef"]);
        Assert.Null(extAuth["grpc"]!["backendRef"]);
        Assert.All(new[] { security, extension }, p => Assert.Null(p["targetRef"]));
        Assert.Equal(
            ["EnvoyExtensionPolicy", "SecurityPolicy"],
            grant["from"]!.AsArray().Select(f => (string)f!["kind"]!).Order(StringComparer.Ordinal));
        AssertCanaryRouteFirst(route["rules"]!.AsArray(), r => r["matches"]!.AsArray().Any(m => m!["headers"]?.AsArray().Any(h => (string?)h!["name"] == "x-governance-cluster") == true));
    }

    [Fact]
    public void Istio_ProviderPolicyAndFilter_FailClosedExtAuthzThenExtProc()
    {
        var mesh = ManifestYaml.LoadNode(File.ReadAllText(Path.Combine(ControllerManifests.Directory, ControllerManifests.MeshConfig)))!;
        var provider = mesh["meshConfig"]!["extensionProviders"]![0]!;
        var policy = ControllerManifests.Single("istio/authorizationpolicy.yaml", "AuthorizationPolicy").Root["spec"]!;
        var patches = ControllerManifests.EnvoyFilterPatches(ControllerManifests.Load("istio/envoyfilter.yaml")).Select(p => p.Value).ToList();

        var grpc = provider["envoyExtAuthzGrpc"]!;
        Assert.Equal(($"{ExtAuthzService}.envoy-govern.svc.cluster.local", 9001L), ((string?)grpc["service"], (long?)grpc["port"]));
        Assert.False((bool)grpc["failOpen"]!);
        Assert.Equal(("CUSTOM", (string?)provider["name"]), ((string?)policy["action"], (string?)policy["provider"]!["name"]));

        var extProc = Parse(patches[0]).TypedConfig.Unpack<ExternalProcessor>();
        Assert.False(extProc.FailureModeAllow);
        Assert.Equal($"outbound|9002||{ExtProcService}.envoy-govern.svc.cluster.local", extProc.GrpcService.EnvoyGrpc.ClusterName);
        Assert.True(Parse(patches[1]).TypedConfig.Unpack<ExtAuthzFilter>().ClearRouteCache);
    }

    private static HttpFilter Parse(JsonObject value)
    {
        var result = EnvoyYamlValidator.Parse<HttpFilter>(value.ToJsonString());
        return result.Message ?? throw new InvalidOperationException(string.Join(Environment.NewLine, result.Errors));
    }

    // The rule matching ExtAuthz's header must come before the catch-all, or it would never be chosen.
    private static void AssertCanaryRouteFirst(JsonArray routes, Func<JsonNode, bool> matchesHeader)
    {
        var canary = routes.Select((r, i) => (r, i)).Single(x => matchesHeader(x.r!)).i;
        Assert.Equal(0, canary);
    }
}

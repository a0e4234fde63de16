using System.Text.Json.Nodes;
using EnvoyGovern.Deployment.Tests.Kubernetes;
using EnvoyGovern.EnvoyConfig;

namespace EnvoyGovern.Deployment.Tests.Controllers;

/// <summary>The ingress controllers' wiring under envoy-config/, and the pieces of it the tests look into.</summary>
internal static class ControllerManifests
{
    public static readonly string[] Controllers = ["contour", "emissary", "envoy-gateway", "istio"];

    /// <summary>Not a Kubernetes object: a fragment of istiod's values (see istio/meshconfig.yaml).</summary>
    public const string MeshConfig = "istio/meshconfig.yaml";

    public static string Directory => Path.Combine(RepoPaths.Root, "envoy-config");

    /// <summary>Every manifest file, relative to envoy-config/.</summary>
    public static IEnumerable<string> Files => Controllers
        .SelectMany(c => System.IO.Directory.EnumerateFiles(Path.Combine(Directory, c), "*.yaml"))
        .Select(f => Path.GetRelativePath(Directory, f).Replace('\\', '/'))
        .Where(f => f != MeshConfig)
        .Order(StringComparer.Ordinal);

    public static TheoryData<string> FileData => [.. Files];

    public static IReadOnlyList<Manifest> Load(string file) => ManifestYaml.LoadFile(Path.Combine(Directory, file));

    public static Manifest Single(string file, string kind, string? name = null) =>
        Load(file).Single(m => m.Kind == kind && (name is null || m.Name == name));

    /// <summary>The value of every EnvoyFilter patch, which Istio hands to Envoy as an HTTP filter.</summary>
    public static IEnumerable<(string Where, JsonObject Value)> EnvoyFilterPatches(IEnumerable<Manifest> manifests) =>
        manifests.Where(m => m.Kind == "EnvoyFilter")
            .SelectMany(m => m.Root["spec"]!["configPatches"]!.AsArray()
                .Select((patch, i) => ($"{m} configPatches[{i}]", (JsonObject)patch!["patch"]!["value"]!)));

    /// <summary>Strict Envoy parse of an EnvoyFilter HTTP_FILTER patch value, with every typed_config unpacked.</summary>
    public static IReadOnlyList<string> ValidateHttpFilter(JsonObject value) =>
        EnvoyYamlValidator.Validate(value.ToJsonString(), EnvoyTypes.Find("envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter")!);
}

using System.Text.Json.Nodes;
using EnvoyGovern.Deployment.Tests.Kubernetes;

namespace EnvoyGovern.Deployment.Tests.Chart;

/// <summary>Shortcuts into rendered chart manifests.</summary>
internal static class Rendered
{
    public static IEnumerable<Manifest> OfKind(this IEnumerable<Manifest> manifests, string kind) => manifests.Where(m => m.Kind == kind);

    public static JsonObject PodSpec(this Manifest deployment) => (JsonObject)deployment.Root["spec"]!["template"]!["spec"]!;

    public static IEnumerable<JsonObject> Containers(this Manifest deployment) =>
        deployment.PodSpec()["containers"]!.AsArray().Cast<JsonObject>()
            .Concat(deployment.PodSpec()["initContainers"]?.AsArray().Cast<JsonObject>() ?? []);

    public static IEnumerable<(string Name, string? Value)> Env(this JsonObject container) =>
        container["env"]?.AsArray().Select(e => ((string)e!["name"]!, (string?)e["value"])) ?? [];

    public static string? EnvValue(this JsonObject container, string name) => container.Env().SingleOrDefault(e => e.Name == name).Value;

    public static int MinReplicas(this Manifest deployment, IEnumerable<Manifest> all)
    {
        var hpa = all.OfKind("HorizontalPodAutoscaler").SingleOrDefault(h => (string?)h.Root["spec"]!["scaleTargetRef"]!["name"] == deployment.Name);
        return (int)(long)(hpa?.Root["spec"]!["minReplicas"] ?? deployment.Root["spec"]!["replicas"])!;
    }

    public static bool Bool(this JsonNode? node) => node is JsonValue value && value.TryGetValue<bool>(out var b) && b;
}

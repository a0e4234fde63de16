using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace EnvoyGovern.Deployment.Tests.Kubernetes;

/// <summary>
/// JSON Schemas of the custom resources the deployment artefacts use, by <c>apiVersion</c> and <c>kind</c>:
/// every served version of every CRD in <c>../shared/data/crds</c>, plus hand-written structural schemas
/// (<c>Schemas/</c>) for the Prometheus operator's kinds, whose CRDs are not in the shared data.
/// </summary>
internal sealed class SchemaCatalog
{
    private static readonly Lazy<SchemaCatalog> _instance = new(Load);

    // Kinds whose CRDs are not available offline: the fields the chart uses, written from the operator's API
    // reference (monitoring.coreos.com/v1), closed like a structural schema.
    private static readonly (string File, string ApiVersion, string Kind)[] _handWritten =
    [
        ("servicemonitor.schema.json", "monitoring.coreos.com/v1", "ServiceMonitor"),
        ("prometheusrule.schema.json", "monitoring.coreos.com/v1", "PrometheusRule"),
    ];

    private readonly Dictionary<(string ApiVersion, string Kind), (JsonSchema Schema, string Origin)> _schemas;

    private SchemaCatalog(Dictionary<(string, string), (JsonSchema, string)> schemas) => _schemas = schemas;

    public static SchemaCatalog Instance => _instance.Value;

    public static string CrdDirectory => Path.Combine(RepoPaths.SharedData, "crds");

    public int Count => _schemas.Count;

    public bool Contains(string apiVersion, string kind) => _schemas.ContainsKey((apiVersion, kind));

    /// <summary>Where the schema of a kind comes from (a CRD file or a hand-written schema).</summary>
    public string OriginOf(string apiVersion, string kind) => _schemas[(apiVersion, kind)].Origin;

    /// <summary>Every violation of the kind's schema, each with its JSON pointer.</summary>
    public IReadOnlyList<string> Validate(Manifest manifest)
    {
        if (!_schemas.TryGetValue((manifest.ApiVersion, manifest.Kind), out var entry))
        {
            return [$"{manifest}: no schema for {manifest.ApiVersion} {manifest.Kind}"];
        }

        var result = entry.Schema.Evaluate(JsonSerializer.SerializeToElement(manifest.Root), new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid)
        {
            return [];
        }

        return [.. (result.Details ?? [])
            .Where(d => !d.IsValid && d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => Describe(d.InstanceLocation.ToString(), e.Key, e.Value)))
            .Where(e => e is not null)
            .Select(e => $"{manifest}: {e}")
            .Distinct(StringComparer.Ordinal)];
    }

    // additionalProperties: false reports at the unknown member through its "false" sub-schema; the
    // parent's own "additionalProperties" entry only repeats it.
    private static string? Describe(string pointer, string keyword, string message) => keyword switch
    {
        "" or "false" => $"{pointer}: unknown field",
        "additionalProperties" or "properties" or "items" or "allOf" => null,
        _ => $"{(pointer.Length == 0 ? "/" : pointer)}: {keyword}: {message}",
    };

    private static SchemaCatalog Load()
    {
        var objectMeta = ReadSchemaFile("objectmeta.schema.json");
        var schemas = new Dictionary<(string, string), (JsonSchema, string)>();
        foreach (var file in Directory.EnumerateFiles(CrdDirectory, "*.yaml").Order(StringComparer.Ordinal))
        {
            foreach (var crd in ManifestYaml.LoadFile(file).Where(m => m.Kind == "CustomResourceDefinition"))
            {
                var spec = crd.Root["spec"]!;
                var group = (string)spec["group"]!;
                var kind = (string)spec["names"]!["kind"]!;
                foreach (var version in spec["versions"]!.AsArray().OfType<JsonObject>().Where(v => (bool?)v["served"] == true))
                {
                    var apiVersion = $"{group}/{(string)version["name"]!}";
                    var root = StructuralSchema.ToJsonSchema((JsonObject)version["schema"]!["openAPIV3Schema"]!);
                    schemas[(apiVersion, kind)] = (Seal(root, apiVersion, kind, objectMeta), Path.GetFileName(file));
                }
            }
        }

        foreach (var (file, apiVersion, kind) in _handWritten)
        {
            schemas[(apiVersion, kind)] = (Seal(ReadSchemaFile(file), apiVersion, kind, objectMeta), $"Schemas/{file} (hand-written)");
        }

        return new SchemaCatalog(schemas);
    }

    // The API server checks apiVersion, kind and metadata itself; CRD schemas leave them open.
    private static JsonSchema Seal(JsonObject root, string apiVersion, string kind, JsonObject objectMeta)
    {
        var properties = root["properties"] as JsonObject ?? [];
        root["properties"] = properties;
        properties["apiVersion"] = new JsonObject { ["const"] = apiVersion };
        properties["kind"] = new JsonObject { ["const"] = kind };
        properties["metadata"] = objectMeta.DeepClone();
        var required = root["required"] as JsonArray ?? [];
        foreach (var name in new[] { "apiVersion", "kind", "metadata" }.Where(n => !required.Any(r => (string?)r == n)))
        {
            required.Add(name);
        }

        root["required"] = required;
        root["additionalProperties"] = false;
        return JsonSchema.FromText(root.ToJsonString());
    }

    public static JsonObject ReadSchemaFile(string name) =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Schemas", name)))!;
}

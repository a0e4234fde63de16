using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EnvoyGovern.Deployment.Tests.Kubernetes;

/// <summary>One YAML document of a manifest file, as the JSON the Kubernetes API server would receive.</summary>
/// <param name="Source">File (or helm release) and document number, for messages.</param>
/// <param name="Root">The document.</param>
internal sealed record Manifest(string Source, JsonObject Root)
{
    public string ApiVersion => (string?)Root["apiVersion"] ?? "";

    public string Kind => (string?)Root["kind"] ?? "";

    public string Name => (string?)Root["metadata"]?["name"] ?? "";

    public override string ToString() => $"{Source} ({Kind} {Name})";
}

/// <summary>
/// Reads manifest YAML the way kubectl does (sigs.k8s.io/yaml, YAML 1.1 scalars): a quoted or block scalar
/// is a string; a plain one is null (<c>null</c>, <c>~</c>, empty), a bool (<c>true/false/yes/no/on/off</c>
/// and their capitalised forms), an integer, a float, or else a string. So <c>replicas: "2"</c> stays a
/// string, which the API server refuses for an integer field. A duplicate key is an error.
/// </summary>
internal static class ManifestYaml
{
    private static readonly HashSet<string> _true = ["true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"];
    private static readonly HashSet<string> _false = ["false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"];
    private static readonly HashSet<string> _null = ["", "~", "null", "Null", "NULL"];

    public static IReadOnlyList<Manifest> LoadFile(string path) => Load(File.ReadAllText(path), Path.GetRelativePath(RepoPaths.Root, path));

    /// <summary>Every non-empty document of <paramref name="yaml"/>.</summary>
    /// <exception cref="FormatException">Malformed YAML, a duplicate key, or a document that is not a mapping.</exception>
    public static IReadOnlyList<Manifest> Load(string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new FormatException($"{source}: invalid YAML at line {ex.Start.Line}: {ex.Message}", ex);
        }

        var manifests = new List<Manifest>();
        for (var i = 0; i < stream.Documents.Count; i++)
        {
            var node = Convert(stream.Documents[i].RootNode);
            if (node is null)
            {
                continue;
            }

            manifests.Add(node is JsonObject root
                ? new Manifest($"{source}#{i + 1}", root)
                : throw new FormatException($"{source}#{i + 1}: a manifest must be a mapping"));
        }

        return manifests;
    }

    /// <summary>The first document of <paramref name="yaml"/> as JSON (values files, embedded fragments).</summary>
    public static JsonNode? LoadNode(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => ConvertMapping(mapping),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(Convert)]),
        YamlScalarNode scalar => ConvertScalar(scalar),
        _ => throw new FormatException($"line {node.Start.Line}: unsupported YAML node (aliases are not used in manifests)"),
    };

    private static JsonObject ConvertMapping(YamlMappingNode mapping)
    {
        var result = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            var name = key is YamlScalarNode { Value: { } text } ? text : throw new FormatException($"line {key.Start.Line}: a key must be a scalar");
            if (result.ContainsKey(name))
            {
                throw new FormatException($"line {key.Start.Line}: duplicate key '{name}'");
            }

            result[name] = Convert(value);
        }

        return result;
    }

    private static JsonValue? ConvertScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        if (_null.Contains(text))
        {
            return null;
        }

        if (_true.Contains(text) || _false.Contains(text))
        {
            return JsonValue.Create(_true.Contains(text));
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? JsonValue.Create(number)
            : JsonValue.Create(text);
    }
}

using System.Text.Json;

namespace EnvoyGovern.TestSupport;

/// <summary>
/// The fields that the shipped Elasticsearch index template (envoy-config/elk/index-template.json) maps, and a check
/// of a record against them: every field a record carries is mapped, with a type its value fits. Records are the
/// source of truth for the template and the Kibana dashboard built on it; a field named differently in the two would
/// be mapped by guesswork and leave a panel empty.
/// </summary>
public sealed class IndexTemplateFields
{
    private static readonly Lazy<IndexTemplateFields> Shared = new(() => Load(TemplatePath));

    private readonly Dictionary<string, string> _types;

    private IndexTemplateFields(Dictionary<string, string> types) => _types = types;

    /// <summary>The template's path in the repository.</summary>
    public static string TemplatePath => Path.Combine(RepoPaths.Root, "envoy-config", "elk", "index-template.json");

    /// <summary>The shipped template.</summary>
    public static IndexTemplateFields Default => Shared.Value;

    /// <summary>Every mapped field (dotted path) and its type; objects with sub-fields are not listed themselves.</summary>
    public IReadOnlyDictionary<string, string> Types => _types;

    /// <summary>Every field of one JSON record that the template does not map, or maps with a type its value misfits.</summary>
    public IReadOnlyList<string> Validate(ReadOnlySpan<byte> utf8Json)
    {
        var problems = new List<string>();
        using var document = JsonDocument.Parse(utf8Json.ToArray());
        Walk(document.RootElement, "", problems);
        return problems;
    }

    private void Walk(JsonElement element, string prefix, List<string> problems)
    {
        foreach (var member in element.EnumerateObject())
        {
            var name = prefix.Length == 0 ? member.Name : $"{prefix}.{member.Name}";
            var values = member.Value.ValueKind == JsonValueKind.Array ? member.Value.EnumerateArray().ToArray() : [member.Value];
            if (_types.TryGetValue(name, out var type))
            {
                foreach (var value in values.Where(v => !EcsFieldList.Fits(type, v)))
                {
                    problems.Add($"{name} is mapped as {type} in the index template, but the record has {value.ValueKind} {value.GetRawText()}");
                }

                continue;
            }

            var objects = values.Where(v => v.ValueKind == JsonValueKind.Object).ToArray();
            if (objects.Length != values.Length || values.Length == 0)
            {
                problems.Add($"{name} is not mapped in the index template ({TemplatePath})");
                continue;
            }

            // Elasticsearch maps an array of objects like one object: the members share the paths.
            foreach (var value in objects)
            {
                Walk(value, name, problems);
            }
        }
    }

    private static IndexTemplateFields Load(string path)
    {
        using var template = JsonDocument.Parse(File.ReadAllText(path));
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        Collect(template.RootElement.GetProperty("template").GetProperty("mappings").GetProperty("properties"), "", types);
        return new IndexTemplateFields(types);
    }

    private static void Collect(JsonElement properties, string prefix, Dictionary<string, string> types)
    {
        foreach (var property in properties.EnumerateObject())
        {
            var name = prefix + property.Name;
            if (property.Value.TryGetProperty("properties", out var children))
            {
                Collect(children, name + ".", types);
            }
            else
            {
                types[name] = property.Value.TryGetProperty("type", out var type) ? type.GetString()! : "object";
            }
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace EnvoyGovern.Governance.Policy.Loading;

/// <summary>
/// Checks a document against the published JSON Schema (embedded from <c>Policy/policy.schema.json</c>)
/// and reports every violation, each at its place in the YAML.
/// </summary>
internal static class PolicySchemaValidator
{
    private static readonly Lazy<JsonSchema> Schema = new(Load);

    public static void Validate(SourceDocument document, ICollection<PolicyError> errors)
    {
        var element = JsonSerializer.SerializeToElement(document.Root);
        var result = Schema.Value.Evaluate(element, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var detail in result.Details ?? [])
        {
            if (detail.Errors is null || detail.IsValid)
            {
                continue;
            }

            var pointer = detail.InstanceLocation.ToString();
            foreach (var (keyword, message) in detail.Errors)
            {
                var text = Explain(keyword, message, pointer, document.Root);
                if (text is not null && seen.Add($"{pointer}|{text}"))
                {
                    var (line, column) = document.PositionOf(pointer);
                    errors.Add(new PolicyError(document.File, line, column, pointer.Length == 0 ? "/" : pointer, text));
                }
            }
        }
    }

    // JsonSchema.Net's wording is generic; say what the author has to change.
    private static string? Explain(string keyword, string message, string pointer, JsonNode? root) => keyword switch
    {
        // additionalProperties: false reports through its "false" sub-schema at the unknown member.
        "" or "false" => $"unknown field '{Unescape(pointer[(pointer.LastIndexOf('/') + 1)..])}'; check its spelling and indentation against the schema",
        "additionalProperties" => null,
        "anyOf" or "oneOf" when Resolve(root, pointer) is null => "a value is required here (null is not allowed)",
        "type" or "enum" => $"{message} (found {Describe(Resolve(root, pointer))})",
        "const" => $"{message} (found {Describe(Resolve(root, pointer))}); this version reads apiVersion {Model.PolicyDocument.CurrentApiVersion}, kind {Model.PolicyDocument.PolicyKind}",
        _ => message,
    };

    private static JsonNode? Resolve(JsonNode? root, string pointer)
    {
        var node = root;
        foreach (var part in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = Unescape(part);
            node = node switch
            {
                JsonObject obj => obj.TryGetPropertyValue(name, out var child) ? child : null,
                JsonArray array when int.TryParse(name, out var index) && index < array.Count => array[index],
                _ => null,
            };
        }

        return node;
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "nothing (null)",
        JsonObject => "a mapping",
        JsonArray => "a list",
        JsonValue value when value.GetValueKind() == JsonValueKind.String => $"the string \"{value}\"",
        JsonValue value => $"{value.GetValueKind().ToString().ToLowerInvariant()} {value.ToJsonString()}",
        _ => node.GetValueKind().ToString(),
    };

    private static string Unescape(string part) => part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    private static JsonSchema Load()
    {
        using var stream = typeof(PolicySchemaValidator).Assembly.GetManifestResourceStream("EnvoyGovern.Governance.Policy.Schema")
            ?? throw new InvalidOperationException("The embedded policy schema is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return JsonSchema.FromText(reader.ReadToEnd());
    }
}

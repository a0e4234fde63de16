using System.Text.Json.Nodes;

namespace EnvoyGovern.Deployment.Tests.Kubernetes;

/// <summary>
/// Turns a CRD's structural OpenAPI v3 schema into a JSON Schema that judges a manifest the way the API
/// server does with strict field validation (kubectl's default since 1.27).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>An object with declared properties, or with none and no <c>additionalProperties</c>, is closed:
/// the API server refuses an unknown field (or prunes it silently under lax validation, just as wrong).</item>
/// <item><c>x-kubernetes-preserve-unknown-fields</c> and <c>x-kubernetes-embedded-resource</c> keep an
/// object open; <c>x-kubernetes-int-or-string</c> allows both; <c>nullable</c> allows null.</item>
/// <item>Every other <c>x-kubernetes-*</c> extension is dropped, notably <c>x-kubernetes-validations</c>:
/// those are CEL rules this check does not evaluate (a few that matter are asserted by the tests).</item>
/// </list>
/// </remarks>
internal static class StructuralSchema
{
    private static readonly string[] _subSchemaLists = ["allOf", "anyOf", "oneOf"];
    private static readonly (string Exclusive, string Bound)[] _exclusiveBounds = [("exclusiveMaximum", "maximum"), ("exclusiveMinimum", "minimum")];

    public static JsonObject ToJsonSchema(JsonObject openApi)
    {
        var schema = (JsonObject)openApi.DeepClone();
        Translate(schema);
        return schema;
    }

    private static void Translate(JsonObject schema)
    {
        var preserve = Flag(schema, "x-kubernetes-preserve-unknown-fields") || Flag(schema, "x-kubernetes-embedded-resource");
        if (Flag(schema, "x-kubernetes-int-or-string"))
        {
            schema["type"] = new JsonArray("integer", "string");
        }

        if (Flag(schema, "nullable") && schema["type"] is JsonValue type)
        {
            schema["type"] = new JsonArray((string?)type, "null");
        }

        // OpenAPI 3.0: exclusiveMaximum/exclusiveMinimum are flags on maximum/minimum; JSON Schema: the bound itself.
        foreach (var (exclusive, bound) in _exclusiveBounds)
        {
            if (schema[exclusive] is JsonValue flag && flag.TryGetValue<bool>(out var isExclusive))
            {
                schema.Remove(exclusive);
                if (isExclusive && schema[bound] is JsonNode value)
                {
                    schema.Remove(bound);
                    schema[exclusive] = value;
                }
            }
        }

        foreach (var key in schema.Select(p => p.Key).Where(k => k.StartsWith("x-", StringComparison.Ordinal) || k == "nullable").ToList())
        {
            schema.Remove(key);
        }

        if (schema["properties"] is JsonObject properties)
        {
            foreach (var (_, child) in properties)
            {
                Translate((JsonObject)child!);
            }
        }

        if (schema["items"] is JsonObject items)
        {
            Translate(items);
        }

        if (schema["additionalProperties"] is JsonObject additional)
        {
            Translate(additional);
        }

        foreach (var list in _subSchemaLists)
        {
            foreach (var sub in (schema[list] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                Translate(sub);
            }
        }

        if (IsObject(schema) && !preserve && !schema.ContainsKey("additionalProperties"))
        {
            schema["additionalProperties"] = false;
        }
    }

    private static bool IsObject(JsonObject schema) => schema["type"] switch
    {
        JsonValue value => (string?)value == "object",
        JsonArray types => types.Any(t => (string?)t == "object"),
        _ => false,
    };

    private static bool Flag(JsonObject schema, string name) => schema[name] is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;
}

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.Governance.Policy.Loading;

/// <summary>
/// The JSON shape of policy documents: one set of serializer options binds them, and the same options
/// produce the published JSON Schema, so the schema cannot drift from what the loader accepts.
/// </summary>
public static class PolicyJson
{
    /// <summary>Strict options: camelCase names, enum names, unknown members and nulls for non-nullable members rejected.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>The JSON Schema of a policy document (what <c>envoy-govern policy schema</c> prints).</summary>
    public static JsonNode GenerateSchema()
    {
        var schema = Options.GetJsonSchemaAsNode(typeof(PolicyDocument), new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            // Editors complete and check the two values every document starts with.
            TransformSchemaNode = (context, node) =>
            {
                if (context.PropertyInfo is { } property && property.DeclaringType == typeof(PolicyDocument) && node is JsonObject obj)
                {
                    if (property.Name == "apiVersion")
                    {
                        obj["const"] = PolicyDocument.CurrentApiVersion;
                    }
                    else if (property.Name == "kind")
                    {
                        obj["const"] = PolicyDocument.PolicyKind;
                    }
                }

                return node;
            },
        });
        var root = schema.AsObject();
        var ordered = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "https://envoygovern.io/schemas/governance-policy-v1.json",
            ["title"] = "EnvoyGovern GovernancePolicy (apiVersion governance.envoygovern.io/v1)",
        };
        foreach (var (key, value) in root.ToArray())
        {
            root.Remove(key);
            ordered[key] = value;
        }

        return ordered;
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly();
        return options;
    }
}

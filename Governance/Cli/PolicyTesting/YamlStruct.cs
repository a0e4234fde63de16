using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EnvoyGovern.Cli.PolicyTesting;

/// <summary>
/// A test request's <c>metadata</c> (what Envoy forwards in <c>metadata_context.filter_metadata</c>, for
/// example the payload jwt_authn verified) as protobuf <see cref="Struct"/>s: mappings become structs,
/// sequences lists, plain scalars numbers, booleans or null where YAML reads them so, the rest strings.
/// </summary>
internal static class YamlStruct
{
    private const int MaxDepth = 32;

    /// <summary>The namespaces and their structs; errors go to <paramref name="yaml"/>.</summary>
    public static Dictionary<string, Struct> Namespaces(YamlFields yaml, Dictionary<string, YamlNode> fields, string name, string what)
    {
        var namespaces = new Dictionary<string, Struct>(StringComparer.Ordinal);
        if (!fields.TryGetValue(name, out var node))
        {
            return namespaces;
        }

        if (node is not YamlMappingNode mapping)
        {
            yaml.Error(node, $"{what} '{name}' must map filter names (such as envoy.filters.http.jwt_authn) to mappings");
            return namespaces;
        }

        foreach (var (key, value) in mapping.Children)
        {
            var filter = yaml.Text(key, $"a key of {what} '{name}'") ?? "";
            if (ToValue(yaml, value, $"{what} '{name}.{filter}'", 0) is { StructValue: { } content })
            {
                namespaces[filter] = content;
            }
            else
            {
                yaml.Error(value, $"{what} '{name}.{filter}' must be a mapping");
            }
        }

        return namespaces;
    }

    private static Value? ToValue(YamlFields yaml, YamlNode node, string what, int depth)
    {
        if (depth > MaxDepth)
        {
            yaml.Error(node, $"{what} is nested deeper than {MaxDepth} levels");
            return null;
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                var content = new Struct();
                foreach (var (key, value) in mapping.Children)
                {
                    var field = yaml.Text(key, $"a key of {what}") ?? "";
                    if (ToValue(yaml, value, $"{what}.{field}", depth + 1) is { } converted)
                    {
                        content.Fields[field] = converted;
                    }
                }

                return Value.ForStruct(content);
            case YamlSequenceNode sequence:
                var items = new List<Value>();
                foreach (var item in sequence.Children)
                {
                    if (ToValue(yaml, item, $"{what}[]", depth + 1) is { } converted)
                    {
                        items.Add(converted);
                    }
                }

                return Value.ForList([.. items]);
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                yaml.Error(node, $"{what} must be a mapping, a sequence or a value");
                return null;
        }
    }

    private static Value Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain)
        {
            return Value.ForString(text);
        }

        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => Value.ForNull(),
            "true" or "True" or "TRUE" => Value.ForBool(true),
            "false" or "False" or "FALSE" => Value.ForBool(false),
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) => Value.ForNumber(number),
            _ => Value.ForString(text),
        };
    }
}

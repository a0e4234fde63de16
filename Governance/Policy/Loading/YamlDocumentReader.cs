using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EnvoyGovern.Governance.Policy.Loading;

/// <summary>A YAML document turned into JSON, with the source position of every value.</summary>
internal sealed record SourceDocument(string File, int Index, JsonNode? Root, IReadOnlyDictionary<string, Mark> Positions)
{
    /// <summary>Best position for <paramref name="pointer"/>: its own, else its nearest ancestor's.</summary>
    public (int Line, int Column) PositionOf(string pointer)
    {
        for (var p = pointer; ; p = p[..p.LastIndexOf('/')])
        {
            if (Positions.TryGetValue(p, out var mark))
            {
                return ((int)mark.Line, (int)mark.Column);
            }

            if (p.Length == 0)
            {
                return (0, 0);
            }
        }
    }
}

/// <summary>
/// Reads YAML (several documents per file) into JSON nodes with YAML 1.2 core-schema scalars:
/// quoted scalars stay strings; plain ones become booleans, numbers or null only when they look so.
/// </summary>
internal static partial class YamlDocumentReader
{
    public static IReadOnlyList<SourceDocument> Read(string file, string text, ICollection<PolicyError> errors)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            errors.Add(new PolicyError(file, (int)ex.Start.Line, (int)ex.Start.Column, "", $"not valid YAML: {Inner(ex).Message}"));
            return [];
        }

        var documents = new List<SourceDocument>();
        for (var i = 0; i < stream.Documents.Count; i++)
        {
            var positions = new Dictionary<string, Mark>(StringComparer.Ordinal);
            var root = Convert(stream.Documents[i].RootNode, "", positions);
            documents.Add(new SourceDocument(file, i, root, positions));
        }

        return documents;
    }

    private static Exception Inner(Exception ex) => ex.InnerException is { } inner && ex.Message.Contains("see inner", StringComparison.OrdinalIgnoreCase) ? inner : ex;

    private static JsonNode? Convert(YamlNode node, string pointer, Dictionary<string, Mark> positions)
    {
        positions[pointer] = node.Start;
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    var name = key is YamlScalarNode scalarKey ? scalarKey.Value ?? "" : key.ToString();
                    var child = $"{pointer}/{Escape(name)}";
                    obj[name] = Convert(value, child, positions);
                    // Point errors about a field at its key, where people look.
                    positions[child] = key.Start;
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    array.Add(Convert(sequence.Children[i], $"{pointer}/{i}", positions));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                return null;
        }
    }

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (IntegerPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(text);
    }

    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    [GeneratedRegex("^[-+]?[0-9]+$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex FloatPattern();
}

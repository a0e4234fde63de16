using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EnvoyGovern.Cli.PolicyTesting;

/// <summary>
/// Strict reading of hand-written YAML: every unknown field, wrong type and bad value becomes an error
/// at its <c>file:line:column</c>, so a typo in a test (<c>expcet:</c>) fails loudly instead of
/// silently testing less.
/// </summary>
internal sealed class YamlFields(string file, ICollection<string> errors)
{
    public string File { get; } = file;

    public void Error(YamlNode node, string message) => Error(node.Start, message);

    public void Error(Mark at, string message) =>
        errors.Add(string.Create(CultureInfo.InvariantCulture, $"{File}:{at.Line}:{at.Column}: {message}"));

    /// <summary>The fields of a mapping; unknown ones are reported and left out.</summary>
    public Dictionary<string, YamlNode> Mapping(YamlNode node, string what, params string[] known)
    {
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        if (node is not YamlMappingNode mapping)
        {
            Error(node, $"{what} must be a mapping");
            return fields;
        }

        foreach (var (key, value) in mapping.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!known.Contains(name))
            {
                Error(key, $"unknown field '{name}' in {what}; expected one of: {string.Join(", ", known)}");
            }
            else if (!fields.TryAdd(name, value))
            {
                Error(key, $"field '{name}' appears twice in {what}");
            }
        }

        return fields;
    }

    /// <summary>A scalar's text; null for YAML null (<c>~</c>, <c>null</c>, nothing) or a reported error.</summary>
    public string? Text(YamlNode node, string what)
    {
        if (node is not YamlScalarNode scalar)
        {
            Error(node, $"{what} must be a single value");
            return null;
        }

        var quoted = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded;
        return !quoted && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL" ? null : scalar.Value;
    }

    public string? RequiredText(Dictionary<string, YamlNode> fields, string name, string what, YamlNode parent)
    {
        if (!fields.TryGetValue(name, out var node))
        {
            Error(parent, $"{what} needs '{name}'");
            return null;
        }

        var text = Text(node, $"{what} '{name}'");
        if (text is null && node is YamlScalarNode)
        {
            Error(node, $"{what} '{name}' must not be empty");
        }

        return text;
    }

    public string? OptionalText(Dictionary<string, YamlNode> fields, string name, string what) =>
        fields.TryGetValue(name, out var node) ? Text(node, $"{what} '{name}'") : null;

    public int? Integer(Dictionary<string, YamlNode> fields, string name, string what, int min, int max)
    {
        if (!fields.TryGetValue(name, out var node) || Text(node, $"{what} '{name}'") is not { } text)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Error(node, $"{what} '{name}' must be a whole number from {min} to {max}, not '{text}'");
            return null;
        }

        return value;
    }

    /// <summary>A mapping of names to values, in file order; null values only where <paramref name="allowNull"/>.</summary>
    public List<KeyValuePair<string, string?>> Map(Dictionary<string, YamlNode> fields, string name, string what, bool allowNull = false)
    {
        var entries = new List<KeyValuePair<string, string?>>();
        if (!fields.TryGetValue(name, out var node))
        {
            return entries;
        }

        if (node is not YamlMappingNode mapping)
        {
            Error(node, $"{what} '{name}' must be a mapping");
            return entries;
        }

        foreach (var (key, value) in mapping.Children)
        {
            var entry = Text(key, $"a key of {what} '{name}'") ?? "";
            var text = Text(value, $"{what} '{name}.{entry}'");
            if (text is null && !allowNull && value is YamlScalarNode)
            {
                Error(value, $"{what} '{name}.{entry}' needs a value (quote '' for an empty one)");
            }

            entries.Add(new(entry, text));
        }

        return entries;
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EnvoyGovern.EnvoyConfig;

/// <summary>
/// Turns Envoy YAML into the JSON that Envoy itself would hand to the protobuf JSON parser.
/// </summary>
/// <remarks>
/// Mirrors <c>parseYamlNode</c> in Envoy's <c>source/common/protobuf/yaml_utility.cc</c>: a quoted
/// or block scalar is a string; a plain scalar is tried as a yaml-cpp bool (y/n, yes/no, true/false,
/// on/off in lower, UPPER or Capitalized case), then an int64 (int32 range as a number, larger as a
/// string, as proto3 JSON allows), then a double (NaN and infinities as proto3 JSON strings), and is
/// a string otherwise, so <c>0.25s</c> stays a string. Keys tagged <c>!ignore</c> are dropped.
/// Stricter than Envoy on purpose: a duplicate key is an error rather than "last one wins".
/// </remarks>
public static class EnvoyYamlToJson
{
    private static readonly string[] _trueNames = ["y", "yes", "true", "on"];
    private static readonly string[] _falseNames = ["n", "no", "false", "off"];

    /// <summary>Converts the first YAML document in <paramref name="yaml"/> to JSON.</summary>
    /// <param name="yaml">Envoy configuration as YAML (JSON is valid YAML too).</param>
    /// <returns>The JSON text.</returns>
    /// <exception cref="FormatException">The YAML is malformed, empty, or holds a duplicate or non-scalar key.</exception>
    public static string Convert(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            // Duplicate keys surface here too: the representation model refuses them.
            throw new FormatException($"Invalid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner throws this on some malformed input (e.g. an unclosed flow list).
            throw new FormatException($"Invalid YAML: {ex.Message}", ex);
        }

        if (stream.Documents.Count == 0)
        {
            throw new FormatException("The YAML holds no document.");
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, stream.Documents[0].RootNode);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode scalarKey)
                    {
                        throw new FormatException($"Line {key.Start.Line}: a mapping key must be a scalar.");
                    }

                    if (TagOf(scalarKey) == "!ignore")
                    {
                        continue;
                    }

                    writer.WritePropertyName(scalarKey.Value ?? string.Empty);
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;

            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Children)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;

            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;

            default:
                throw new FormatException($"Line {node.Start.Line}: unsupported YAML node {node.NodeType}.");
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;

        // Quoted and block scalars carry the non-specific tag "!" in YAML: always strings.
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any) || TagOf(scalar) == "!")
        {
            writer.WriteStringValue(text);
            return;
        }

        if (IsNull(text))
        {
            writer.WriteNullValue();
        }
        else if (TryBool(text, out var boolean))
        {
            writer.WriteBooleanValue(boolean);
        }
        else if (TryInt64(text, out var integer))
        {
            if (integer is >= int.MinValue and <= int.MaxValue)
            {
                writer.WriteNumberValue(integer);
            }
            else
            {
                writer.WriteStringValue(integer.ToString(CultureInfo.InvariantCulture));
            }
        }
        else if (TryDouble(text, out var real))
        {
            if (double.IsFinite(real))
            {
                writer.WriteNumberValue(real);
            }
            else
            {
                writer.WriteStringValue(double.IsNaN(real) ? "NaN" : real > 0 ? "Infinity" : "-Infinity");
            }
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }

    // TagName.Value throws for an absent or non-specific tag; those read here as null and "!".
    private static string? TagOf(YamlNode node) =>
        node.Tag.IsEmpty ? null : node.Tag.IsNonSpecific ? node.Tag.ToString() : node.Tag.Value;

    // yaml-cpp's null: empty, "~" and null in its three cases.
    private static bool IsNull(string text) => text is "" or "~" or "null" or "Null" or "NULL";

    private static bool TryBool(string text, out bool value)
    {
        value = false;
        if (!IsFlexibleCase(text))
        {
            return false;
        }

        var lower = text.ToLowerInvariant();
        if (_trueNames.Contains(lower))
        {
            value = true;
            return true;
        }

        return _falseNames.Contains(lower);
    }

    // yaml-cpp accepts "true", "TRUE" and "True", but not "tRuE".
    private static bool IsFlexibleCase(string text) =>
        text.Length == 0
        || text.All(char.IsAsciiLetterLower)
        || (char.IsAsciiLetterUpper(text[0])
            && (text[1..].All(char.IsAsciiLetterLower) || text[1..].All(char.IsAsciiLetterUpper)));

    // yaml-cpp reads integers with C++ base detection: 0x hex, a leading 0 octal, else decimal.
    private static bool TryInt64(string text, out long value)
    {
        value = 0;
        var negative = text.StartsWith('-');
        var digits = text.StartsWith('-') || text.StartsWith('+') ? text[1..] : text;
        if (digits.Length == 0)
        {
            return false;
        }

        try
        {
            ulong magnitude;
            if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                if (!ulong.TryParse(digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out magnitude))
                {
                    return false;
                }
            }
            else if (digits.Length > 1 && digits[0] == '0')
            {
                if (!digits.All(c => c is >= '0' and <= '7'))
                {
                    return false;
                }

                magnitude = System.Convert.ToUInt64(digits, 8);
            }
            else if (!digits.All(char.IsAsciiDigit)
                || !ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out magnitude))
            {
                return false;
            }

            if (negative)
            {
                if (magnitude > (ulong)long.MaxValue + 1)
                {
                    return false;
                }

                value = magnitude == (ulong)long.MaxValue + 1 ? long.MinValue : -(long)magnitude;
                return true;
            }

            if (magnitude > long.MaxValue)
            {
                return false;
            }

            value = (long)magnitude;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static bool TryDouble(string text, out double value)
    {
        switch (text)
        {
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                value = double.PositiveInfinity;
                return true;
            case "-.inf" or "-.Inf" or "-.INF":
                value = double.NegativeInfinity;
                return true;
            case ".nan" or ".NaN" or ".NAN":
                value = double.NaN;
                return true;
            default:
                break;
        }

        // Only the C++ stream's float syntax: no thousands separators, no "Infinity", no hex.
        var ok = text.Length > 0
            && text.All(c => char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-')
            && text.Any(char.IsAsciiDigit);
        value = 0;
        return ok && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}

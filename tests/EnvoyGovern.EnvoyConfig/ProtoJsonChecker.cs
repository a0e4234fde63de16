using System.Globalization;
using System.Text.Json;
using Google.Protobuf.Reflection;

namespace EnvoyGovern.EnvoyConfig;

/// <summary>
/// Walks proto3 JSON against message descriptors and reports every problem with its path.
/// </summary>
/// <remarks>
/// Google.Protobuf's <c>JsonParser</c> stops at the first problem and does not say where it was;
/// this pass finds all of them and names the field path (in the proto field names Envoy's docs use)
/// and the message type. The parser stays the authority: this pass only explains.
/// </remarks>
internal sealed class ProtoJsonChecker
{
    private const string AnyTypeKey = "@type";

    private readonly List<string> _errors = [];

    private ProtoJsonChecker()
    {
    }

    /// <summary>Checks <paramref name="json"/> against <paramref name="descriptor"/>.</summary>
    public static IReadOnlyList<string> Check(JsonElement json, MessageDescriptor descriptor)
    {
        var checker = new ProtoJsonChecker();
        checker.CheckMessage(json, descriptor, "$");
        return checker._errors;
    }

    private void CheckMessage(JsonElement json, MessageDescriptor descriptor, string path)
    {
        if (json.ValueKind == JsonValueKind.Null && descriptor.FullName != "google.protobuf.Value")
        {
            return;
        }

        switch (descriptor.FullName)
        {
            case "google.protobuf.Any":
                CheckAny(json, path);
                return;
            case "google.protobuf.Duration":
                Expect(json.ValueKind == JsonValueKind.String && IsDuration(json.GetString()!), path,
                    $"expects a duration such as \"0.25s\", got {Describe(json)}");
                return;
            case "google.protobuf.Timestamp" or "google.protobuf.FieldMask":
                Expect(json.ValueKind == JsonValueKind.String, path, $"expects a string ({descriptor.Name}), got {Describe(json)}");
                return;
            case "google.protobuf.Struct":
                Expect(json.ValueKind == JsonValueKind.Object, path, $"expects an object (Struct), got {Describe(json)}");
                return;
            case "google.protobuf.ListValue":
                Expect(json.ValueKind == JsonValueKind.Array, path, $"expects a list (ListValue), got {Describe(json)}");
                return;
            case "google.protobuf.Value":
                return;
            default:
                break;
        }

        if (IsWrapper(descriptor))
        {
            CheckSingle(json, descriptor.FindFieldByNumber(1), path);
            return;
        }

        if (json.ValueKind != JsonValueKind.Object)
        {
            Error(path, $"expects an object ({descriptor.FullName}), got {Describe(json)}");
            return;
        }

        CheckFields(json, descriptor, path, skipAnyType: false);
    }

    private void CheckFields(JsonElement json, MessageDescriptor descriptor, string path, bool skipAnyType)
    {
        var seenFields = new HashSet<int>();
        var seenOneofs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in json.EnumerateObject())
        {
            if (skipAnyType && property.Name == AnyTypeKey)
            {
                continue;
            }

            var childPath = $"{path}.{property.Name}";
            var field = FindField(descriptor, property.Name);
            if (field is null)
            {
                var hint = Suggest(descriptor, property.Name);
                Error(childPath, $"unknown field in {descriptor.FullName}{hint}");
                continue;
            }

            if (!seenFields.Add(field.FieldNumber))
            {
                Error(childPath, $"field '{field.Name}' is set twice");
                continue;
            }

            var oneof = field.RealContainingOneof;
            if (oneof is not null && property.Value.ValueKind != JsonValueKind.Null)
            {
                if (seenOneofs.TryGetValue(oneof.Name, out var other))
                {
                    Error(childPath, $"'{field.Name}' and '{other}' are both set, but only one of oneof '{oneof.Name}' may be");
                }
                else
                {
                    seenOneofs[oneof.Name] = field.Name;
                }
            }

            CheckField(property.Value, field, childPath);
        }
    }

    private void CheckAny(JsonElement json, string path)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            Error(path, $"expects an object with \"@type\" (google.protobuf.Any), got {Describe(json)}");
            return;
        }

        if (!json.TryGetProperty(AnyTypeKey, out var typeUrl) || typeUrl.ValueKind != JsonValueKind.String)
        {
            Error(path, "google.protobuf.Any needs a string \"@type\" naming the config message");
            return;
        }

        var url = typeUrl.GetString()!;
        var descriptor = EnvoyTypes.Find(url);
        if (descriptor is null)
        {
            Error($"{path}.@type", $"unknown type '{url}': no such message in the Envoy API protos");
            return;
        }

        if (HasSpecialJson(descriptor))
        {
            // Types with a non-object JSON form sit under "value" inside an Any.
            foreach (var property in json.EnumerateObject().Where(p => p.Name is not (AnyTypeKey or "value")))
            {
                Error($"{path}.{property.Name}", $"unknown field in an Any of {descriptor.FullName}; use \"value\"");
            }

            if (json.TryGetProperty("value", out var value))
            {
                CheckMessage(value, descriptor, $"{path}.value");
            }

            return;
        }

        CheckFields(json, descriptor, path, skipAnyType: true);
    }

    private void CheckField(JsonElement json, FieldDescriptor field, string path)
    {
        if (json.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (field.IsMap)
        {
            if (json.ValueKind != JsonValueKind.Object)
            {
                Error(path, $"expects a map (object), got {Describe(json)}");
                return;
            }

            var valueField = field.MessageType.FindFieldByNumber(2);
            foreach (var entry in json.EnumerateObject())
            {
                CheckSingle(entry.Value, valueField, $"{path}[\"{entry.Name}\"]");
            }

            return;
        }

        if (field.IsRepeated)
        {
            if (json.ValueKind != JsonValueKind.Array)
            {
                Error(path, $"expects a list, got {Describe(json)}");
                return;
            }

            var index = 0;
            foreach (var item in json.EnumerateArray())
            {
                CheckSingle(item, field, $"{path}[{index++}]");
            }

            return;
        }

        CheckSingle(json, field, path);
    }

    private void CheckSingle(JsonElement json, FieldDescriptor field, string path)
    {
        switch (field.FieldType)
        {
            case FieldType.Message or FieldType.Group:
                CheckMessage(json, field.MessageType, path);
                break;
            case FieldType.Enum:
                CheckEnum(json, field.EnumType, path);
                break;
            case FieldType.Bool:
                Expect(json.ValueKind is JsonValueKind.True or JsonValueKind.False, path, $"expects true or false, got {Describe(json)}");
                break;
            case FieldType.String:
                Expect(json.ValueKind == JsonValueKind.String, path, $"expects a string, got {Describe(json)}");
                break;
            case FieldType.Bytes:
                Expect(json.ValueKind == JsonValueKind.String, path, $"expects base64 bytes (a string), got {Describe(json)}");
                break;
            case FieldType.Float or FieldType.Double:
                Expect(IsNumber(json, integral: false, field.FieldType), path, $"expects a number, got {Describe(json)}");
                break;
            default:
                Expect(IsNumber(json, integral: true, field.FieldType), path, $"expects an integer ({field.FieldType}), got {Describe(json)}");
                break;
        }
    }

    private void CheckEnum(JsonElement json, EnumDescriptor enumType, string path)
    {
        if (json.ValueKind == JsonValueKind.String)
        {
            var name = json.GetString()!;
            if (enumType.FindValueByName(name) is null)
            {
                var known = string.Join(", ", enumType.Values.Select(v => v.Name));
                Error(path, $"'{name}' is not a value of {enumType.FullName} (known: {known})");
            }

            return;
        }

        Expect(json.ValueKind == JsonValueKind.Number && json.TryGetInt32(out _), path,
            $"expects a {enumType.FullName} name, got {Describe(json)}");
    }

    private static bool IsNumber(JsonElement json, bool integral, FieldType type)
    {
        string text;
        if (json.ValueKind == JsonValueKind.Number)
        {
            text = json.GetRawText();
        }
        else if (json.ValueKind == JsonValueKind.String)
        {
            // proto3 JSON allows numbers as strings (needed for 64-bit values).
            text = json.GetString()!;
            if (!integral && text is "NaN" or "Infinity" or "-Infinity")
            {
                return true;
            }
        }
        else
        {
            return false;
        }

        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            // Out of decimal's range: only a float could hold it.
            return !integral && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        }

        if (!integral)
        {
            return true;
        }

        if (value != decimal.Truncate(value))
        {
            return false;
        }

        return type switch
        {
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => value is >= int.MinValue and <= int.MaxValue,
            FieldType.UInt32 or FieldType.Fixed32 => value is >= 0 and <= uint.MaxValue,
            FieldType.UInt64 or FieldType.Fixed64 => value is >= 0 and <= ulong.MaxValue,
            _ => value is >= long.MinValue and <= long.MaxValue,
        };
    }

    private static bool IsDuration(string text)
    {
        if (!text.EndsWith('s'))
        {
            return false;
        }

        var number = text[..^1];
        return number.Length > 0
            && number.All(c => char.IsAsciiDigit(c) || c is '.' or '-')
            && decimal.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _);
    }

    private static FieldDescriptor? FindField(MessageDescriptor descriptor, string name) =>
        descriptor.FindFieldByName(name)
        ?? descriptor.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == name);

    private static bool IsWrapper(MessageDescriptor descriptor) =>
        descriptor.File.Name == "google/protobuf/wrappers.proto";

    private static bool HasSpecialJson(MessageDescriptor descriptor) =>
        IsWrapper(descriptor)
        || descriptor.FullName is "google.protobuf.Any" or "google.protobuf.Duration" or "google.protobuf.Timestamp"
            or "google.protobuf.FieldMask" or "google.protobuf.Struct" or "google.protobuf.Value" or "google.protobuf.ListValue";

    private static string Suggest(MessageDescriptor descriptor, string name)
    {
        var best = descriptor.Fields.InDeclarationOrder()
            .Select(f => (f.Name, Distance: Levenshtein(f.Name, name)))
            .OrderBy(x => x.Distance)
            .FirstOrDefault();
        return best.Name is not null && best.Distance <= 3 ? $"; did you mean '{best.Name}'?" : string.Empty;
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private static string Describe(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.String => $"string \"{json.GetString()}\"",
        JsonValueKind.Number => $"number {json.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"bool {json.GetRawText()}",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        _ => json.ValueKind.ToString().ToLowerInvariant(),
    };

    private void Expect(bool condition, string path, string message)
    {
        if (!condition)
        {
            Error(path, message);
        }
    }

    private void Error(string path, string message) => _errors.Add($"{path}: {message}");
}

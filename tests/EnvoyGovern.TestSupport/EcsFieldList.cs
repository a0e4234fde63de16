using System.Globalization;
using System.Net;
using System.Text.Json;

namespace EnvoyGovern.TestSupport;

/// <summary>
/// The ECS field list (shared/data/ecs/fields.csv) and a check of a record against it: every field outside our
/// custom prefix is an ECS field, with a value of the ECS type (arrays of that type allowed, as Elasticsearch
/// allows them for every field), and the categorisation fields hold allowed values.
/// </summary>
public sealed class EcsFieldList
{
    /// <summary>Fields under this prefix are ours, not ECS.</summary>
    public const string CustomPrefix = "envoygovern.";

    private static readonly Lazy<EcsFieldList> Shared = new(() => Load(RepoPaths.EcsFields));

    private static readonly Dictionary<string, string[]> AllowedValues = new(StringComparer.Ordinal)
    {
        ["event.kind"] = ["alert", "asset", "enrichment", "event", "metric", "state", "pipeline_error", "signal"],
        ["event.category"] = ["api", "authentication", "configuration", "database", "driver", "email", "file", "host", "iam", "intrusion_detection", "library", "malware", "network", "package", "process", "registry", "session", "threat", "vulnerability", "web"],
        ["event.type"] = ["access", "admin", "allowed", "change", "connection", "creation", "deletion", "denied", "device", "end", "error", "group", "indicator", "info", "installation", "protocol", "start", "user"],
        ["event.outcome"] = ["failure", "success", "unknown"],
    };

    private readonly Dictionary<string, string> _types;

    private EcsFieldList(Dictionary<string, string> types, string version)
    {
        _types = types;
        Version = version;
    }

    /// <summary>The list in shared/data/ecs/fields.csv.</summary>
    public static EcsFieldList Default => Shared.Value;

    /// <summary>The ECS version the list describes.</summary>
    public string Version { get; }

    /// <summary>The ECS type of <paramref name="field"/>, or null when ECS does not define it.</summary>
    public string? TypeOf(string field) => _types.GetValueOrDefault(field);

    /// <summary>Every problem of one JSON record; empty when it conforms.</summary>
    public IReadOnlyList<string> Validate(ReadOnlySpan<byte> utf8Json)
    {
        var problems = new List<string>();
        using var document = JsonDocument.Parse(utf8Json.ToArray());
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return ["the record is not a JSON object"];
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        Walk(document.RootElement, "", problems, seen);
        foreach (var required in new[] { "@timestamp", "ecs.version", "event.kind", "event.id", "event.action", "event.outcome" })
        {
            if (!seen.Contains(required))
            {
                problems.Add($"{required} is missing");
            }
        }

        return problems;
    }

    private void Walk(JsonElement element, string prefix, List<string> problems, HashSet<string> seen)
    {
        foreach (var member in element.EnumerateObject())
        {
            var name = prefix.Length == 0 ? member.Name : $"{prefix}.{member.Name}";
            if (name.StartsWith(CustomPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var type = TypeOf(name);
            if (type is null)
            {
                if (member.Value.ValueKind == JsonValueKind.Object)
                {
                    Walk(member.Value, name, problems, seen);
                }
                else
                {
                    problems.Add($"{name} is not an ECS field (custom fields go under {CustomPrefix})");
                }

                continue;
            }

            seen.Add(name);
            var values = member.Value.ValueKind == JsonValueKind.Array && type != "nested" ? member.Value.EnumerateArray().ToArray() : [member.Value];
            foreach (var value in values)
            {
                if (!Fits(type, value))
                {
                    problems.Add($"{name} is ECS type {type}, but the record has {value.ValueKind} {value.GetRawText()}");
                }
                else if (AllowedValues.TryGetValue(name, out var allowed) && !allowed.Contains(value.GetString()))
                {
                    problems.Add($"{name} value '{value.GetString()}' is not one ECS allows");
                }
            }
        }
    }

    /// <summary>True when <paramref name="value"/> is a JSON value Elasticsearch accepts for a field of <paramref name="type"/>.</summary>
    internal static bool Fits(string type, JsonElement value) => type switch
    {
        "keyword" or "constant_keyword" or "wildcard" or "match_only_text" or "text" => value.ValueKind == JsonValueKind.String,
        "long" or "integer" or "short" or "byte" or "unsigned_long" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "float" or "double" or "scaled_float" or "half_float" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "date" => value.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _),
        "ip" => value.ValueKind == JsonValueKind.String && IPAddress.TryParse(value.GetString(), out _),
        "object" or "flattened" => value.ValueKind == JsonValueKind.Object,
        "nested" => value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Object),
        _ => false,
    };

    private static EcsFieldList Load(string path)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var version = "";
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            // ECS_Version,Indexed,Field_Set,Field,Type,...: the first five columns never hold a comma.
            var columns = line.Split(',', 6);
            if (columns.Length < 5)
            {
                continue;
            }

            version = columns[0];
            types[columns[3]] = columns[4];
        }

        return new EcsFieldList(types, version);
    }
}

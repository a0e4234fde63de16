using System.Text.Json;
using System.Text.RegularExpressions;
using EnvoyGovern.Governance.Audit.Delivery;
using EnvoyGovern.TestSupport;
using YamlDotNet.RepresentationModel;

namespace EnvoyGovern.Tests.Audit.Delivery;

/// <summary>The shipped ELK files parse, agree with each other and with ECS, and point at our data stream.</summary>
public sealed class ElkConfigTests
{
    // What the audit records carry (agreed with the record producer) and the dashboard reads.
    private static readonly string[] RequiredEcsFields =
    [
        "@timestamp", "event.id", "event.kind", "event.category", "event.type", "event.action", "event.outcome", "event.reason",
        "event.duration", "http.request.method", "http.response.status_code", "url.path", "source.ip", "user.id", "user.name",
        "rule.id", "rule.name", "trace.id", "span.id", "service.name", "service.version", "gen_ai.request.model",
        "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens",
    ];

    private static readonly string[] RequiredCustomFields =
    [
        "envoygovern.policy.version", "envoygovern.decision.id", "envoygovern.canary_cluster",
        "envoygovern.audit.chain.stream", "envoygovern.audit.chain.seq", "envoygovern.audit.chain.prev", "envoygovern.audit.chain.hash",
    ];

    private static string Elk(string file) => Path.Combine(RepoPaths.Root, "envoy-config", "elk", file);

    private static string DataStream => new ElasticsearchAuditSinkOptions().DataStream;

    [Fact]
    public void IndexTemplate_Pattern_IsDataStreamCoveringTheSinksDefault()
    {
        using var template = JsonDocument.Parse(File.ReadAllText(Elk("index-template.json")));
        var root = template.RootElement;

        Assert.Equal(JsonValueKind.Object, root.GetProperty("data_stream").ValueKind);
        var pattern = Assert.Single(root.GetProperty("index_patterns").EnumerateArray()).GetString()!;
        Assert.Equal("logs-envoygovern.audit-*", pattern);
        Assert.StartsWith(pattern.TrimEnd('*'), DataStream, StringComparison.Ordinal);
        // Above the built-in logs-*-* template (priority 100), so ours applies.
        Assert.True(root.GetProperty("priority").GetInt32() > 100);
    }

    [Fact]
    public void IndexTemplate_Mappings_CoverRequiredFieldsWithEcsTypes()
    {
        var mapped = IndexTemplateFields.Default.Types;
        var ecs = EcsTypes();

        Assert.All(RequiredEcsFields, f => Assert.True(mapped.ContainsKey(f), $"{f} is not mapped"));
        Assert.All(RequiredCustomFields, f => Assert.True(mapped.ContainsKey(f), $"{f} is not mapped"));
        // Every ECS field we map has ECS's type; our own prefix is the only non-ECS name.
        foreach (var (field, type) in mapped)
        {
            if (field.StartsWith("envoygovern.", StringComparison.Ordinal))
            {
                continue;
            }

            Assert.True(ecs.TryGetValue(field, out var ecsType), $"{field} is neither ECS nor envoygovern.*");
            Assert.True(ecsType == type, $"{field}: mapped {type}, ECS says {ecsType}");
        }
    }

    [Fact]
    public void KibanaSavedObjects_EveryLine_ParsesAndReferencesTheDataView()
    {
        var objects = File.ReadAllLines(Elk("kibana-dashboard.ndjson"))
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .ToList();
        var dataView = Assert.Single(objects, o => o.GetProperty("type").GetString() == "index-pattern");
        var dataViewId = dataView.GetProperty("id").GetString();
        Assert.Equal("logs-envoygovern.audit-*", dataView.GetProperty("attributes").GetProperty("title").GetString());
        Assert.Equal("@timestamp", dataView.GetProperty("attributes").GetProperty("timeFieldName").GetString());

        var visualizations = objects.Where(o => o.GetProperty("type").GetString() == "visualization").ToList();
        Assert.Equal(4, visualizations.Count);
        var mapped = IndexTemplateFields.Default.Types;
        foreach (var visualization in visualizations)
        {
            var reference = Assert.Single(visualization.GetProperty("references").EnumerateArray());
            Assert.Equal(dataViewId, reference.GetProperty("id").GetString());
            var search = JsonDocument.Parse(visualization.GetProperty("attributes").GetProperty("kibanaSavedObjectMeta").GetProperty("searchSourceJSON").GetString()!);
            Assert.Equal(reference.GetProperty("name").GetString(), search.RootElement.GetProperty("indexRefName").GetString());
            var state = JsonDocument.Parse(visualization.GetProperty("attributes").GetProperty("visState").GetString()!);
            foreach (var agg in state.RootElement.GetProperty("aggs").EnumerateArray())
            {
                if (agg.GetProperty("params").TryGetProperty("field", out var field))
                {
                    Assert.True(mapped.ContainsKey(field.GetString()!), $"{field} used by a visualization is not mapped");
                }
            }
        }

        var fields = visualizations.SelectMany(v => AggFields(v)).ToHashSet();
        Assert.Superset(new HashSet<string> { "@timestamp", "event.outcome", "event.reason", "envoygovern.canary_cluster", "rule.id", "rule.name" }, fields);

        var dashboard = Assert.Single(objects, o => o.GetProperty("type").GetString() == "dashboard");
        var panels = JsonDocument.Parse(dashboard.GetProperty("attributes").GetProperty("panelsJSON").GetString()!).RootElement;
        var references = dashboard.GetProperty("references").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("id").GetString()!);
        Assert.Equal(
            visualizations.Select(v => v.GetProperty("id").GetString()!).Order(StringComparer.Ordinal),
            panels.EnumerateArray().Select(p => references[p.GetProperty("panelRefName").GetString()!]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Filebeat_Config_KeepsOnlyStdoutAuditLinesAndWritesTheDataStream()
    {
        var root = Yaml(Elk("filebeat.yml"));

        Assert.Equal(DataStream, Scalar(root, "output.elasticsearch", "index"));
        var input = (YamlMappingNode)((YamlSequenceNode)root["filebeat.inputs"]).Single();
        Assert.Equal("filestream", Scalar(input, "type"));
        var parsers = (YamlSequenceNode)input["parsers"];
        Assert.Equal("stdout", Scalar((YamlMappingNode)parsers[0], "container", "stream"));
        Assert.Equal("", Scalar((YamlMappingNode)parsers[1], "ndjson", "target"));
        var processors = root["processors"].ToString();
        Assert.Contains("event.kind", processors, StringComparison.Ordinal);
        Assert.Contains("envoygovern", processors, StringComparison.Ordinal);
        Assert.Equal("false", Scalar(root, "setup.template.enabled"));
    }

    [Fact]
    public void FluentBit_Config_KeepsOnlyStdoutAuditLinesAndCreatesInTheDataStream()
    {
        var root = Yaml(Elk("fluent-bit.yaml"));
        var pipeline = (YamlMappingNode)root["pipeline"];
        var output = (YamlMappingNode)((YamlSequenceNode)pipeline["outputs"]).Single();

        Assert.Equal("es", Scalar(output, "name"));
        Assert.Equal(DataStream, Scalar(output, "index"));
        Assert.Equal("create", Scalar(output, "write_operation"));
        var filters = ((YamlSequenceNode)pipeline["filters"]).Cast<YamlMappingNode>().ToList();
        var greps = filters.Where(f => Scalar(f, "name") == "grep").Select(f => Scalar(f, "regex")).ToList();
        // The regexes keep audit lines and drop a diagnostic line.
        const string audit = """{"@timestamp":"2026-11-26T10:00:00Z","event":{"kind":"event","id":"e1"},"envoygovern":{"policy":{"version":"v1"}}}""";
        const string diagnostic = """{"@t":"2026-11-26T10:00:00Z","@m":"Policy v1 active","service":"ExtAuthz"}""";
        var logRegexes = greps.Where(g => g.StartsWith("log ", StringComparison.Ordinal)).Select(g => new Regex(g[4..], RegexOptions.None, TimeSpan.FromSeconds(1))).ToList();
        Assert.Equal(2, logRegexes.Count);
        Assert.All(logRegexes, r => Assert.Matches(r, audit));
        Assert.Contains(logRegexes, r => !r.IsMatch(diagnostic));
        Assert.Contains("stream ^stdout$", greps);
        var parser = Scalar(filters.Single(f => Scalar(f, "name") == "parser"), "parser");
        Assert.Contains(((YamlSequenceNode)root["parsers"]).Cast<YamlMappingNode>(), p => Scalar(p, "name") == parser);
    }

    private static List<string> AggFields(JsonElement visualization)
    {
        using var state = JsonDocument.Parse(visualization.GetProperty("attributes").GetProperty("visState").GetString()!);
        return state.RootElement.GetProperty("aggs").EnumerateArray()
            .Where(a => a.GetProperty("params").TryGetProperty("field", out _))
            .Select(a => a.GetProperty("params").GetProperty("field").GetString()!)
            .ToList();
    }

    // Field -> type from the shared ECS field list (columns: version, indexed, set, field, type, ...).
    private static Dictionary<string, string> EcsTypes()
    {
        var path = RepoPaths.EcsFields;
        Assert.True(File.Exists(path), $"{path} is missing: the ECS field list lives in shared/ beside the repository (or ENVOYGOVERN_SHARED)");
        return File.ReadLines(path).Skip(1)
            .Select(l => l.Split(','))
            .Where(c => c.Length > 4)
            .GroupBy(c => c[3], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()[4], StringComparer.Ordinal);
    }

    private static YamlMappingNode Yaml(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static string Scalar(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path)
        {
            current = ((YamlMappingNode)current)[key];
        }

        return ((YamlScalarNode)current).Value ?? "";
    }
}

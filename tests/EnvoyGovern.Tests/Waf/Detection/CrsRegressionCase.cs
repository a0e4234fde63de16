using System.Xml;
using EnvoyGovern.TestSupport;
using YamlDotNet.RepresentationModel;

namespace EnvoyGovern.Tests.Waf.Detection;

/// <summary>
/// One test of the CRS regression suite for a detection rule, reduced to the values the rule
/// inspects (its SecRule targets) and whether the rule must fire on them.
/// </summary>
internal sealed record CrsRegressionCase(string Id, bool Expected, IReadOnlyList<string> Values)
{
    private static string TestsDirectory =>
        Path.Combine(RepoPaths.SharedData, "crs", "tests", "regression", "tests");

    /// <summary>The cases of <paramref name="ruleId"/>'s file (and of <paramref name="ruleId"/> in it only).</summary>
    public static IEnumerable<CrsRegressionCase> Load(string folder, string ruleId, CrsTargets targets)
    {
        var path = Path.Combine(TestsDirectory, folder, ruleId + ".yaml");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"CRS regression tests not found (set ENVOYGOVERN_SHARED to the shared folder): {path}");
        }

        var yaml = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        foreach (var test in ((YamlSequenceNode)root["tests"]).Cast<YamlMappingNode>())
        {
            var stage = (YamlMappingNode)((YamlSequenceNode)test["stages"])[0];
            var input = (YamlMappingNode)stage["input"];
            var log = (YamlMappingNode)((YamlMappingNode)stage["output"])["log"];
            var expected = log.Children.ContainsKey("expect_ids") && Ids(log["expect_ids"]).Contains(ruleId);
            yield return new CrsRegressionCase($"{ruleId}-{Scalar(test["test_id"])}", expected, TargetValues(input, targets));
        }
    }

    /// <inheritdoc />
    public override string ToString() => Id;

    private static IEnumerable<string> Ids(YamlNode node) => ((YamlSequenceNode)node).Select(Scalar);

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value ?? string.Empty;

    private static List<string> TargetValues(YamlMappingNode input, CrsTargets targets)
    {
        var headers = input.Children.TryGetValue("headers", out var h)
            ? ((YamlMappingNode)h).Children.ToDictionary(p => Scalar(p.Key), p => Scalar(p.Value), StringComparer.OrdinalIgnoreCase)
            : [];
        var uri = input.Children.TryGetValue("uri", out var u) ? Scalar(u) : "/";
        var data = input.Children.TryGetValue("data", out var d) ? Scalar(d) : string.Empty;
        var query = uri.IndexOf('?', StringComparison.Ordinal);
        var filename = query < 0 ? uri : uri[..query];

        var values = new List<string>();
        foreach (var header in targets.Headers)
        {
            if (headers.TryGetValue(header, out var value))
            {
                values.Add(value);
            }
        }

        if (targets.Filename)
        {
            values.Add(filename);
            values.Add(filename[(filename.LastIndexOf('/') + 1)..]);
        }

        if (targets.Args)
        {
            if (query >= 0)
            {
                AddForm(values, uri[(query + 1)..]);
            }

            var xml = headers.TryGetValue("Content-Type", out var type) && type.Contains("xml", StringComparison.OrdinalIgnoreCase);
            if (xml)
            {
                AddXml(values, data);
            }
            else if (data.Length > 0)
            {
                AddForm(values, data);
            }
        }

        return values;
    }

    // ARGS_NAMES and ARGS of an application/x-www-form-urlencoded string.
    private static void AddForm(List<string> values, string form)
    {
        foreach (var pair in form.Split('&'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            values.Add(CrsTransforms.FormDecode(eq < 0 ? pair : pair[..eq]));
            if (eq >= 0)
            {
                values.Add(CrsTransforms.FormDecode(pair[(eq + 1)..]));
            }
        }
    }

    // XML:/* (text) and XML://@* (attribute values).
    private static void AddXml(List<string> values, string xml)
    {
        using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Text)
            {
                values.Add(reader.Value);
            }

            if (reader.NodeType == XmlNodeType.Element && reader.MoveToFirstAttribute())
            {
                do
                {
                    values.Add(reader.Value);
                }
                while (reader.MoveToNextAttribute());
            }
        }
    }
}

/// <summary>What a rule inspects: some request headers, the path (REQUEST_FILENAME/BASENAME), ARGS and XML.</summary>
internal sealed record CrsTargets(IReadOnlyList<string> Headers, bool Filename, bool Args);

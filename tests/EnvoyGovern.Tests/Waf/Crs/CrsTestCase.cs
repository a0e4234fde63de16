using System.Text;
using YamlDotNet.RepresentationModel;

namespace EnvoyGovern.Tests.Waf.Crs;

/// <summary>One stage of a CRS regression test (go-ftw format), as written in the YAML.</summary>
internal sealed record CrsTestCase
{
    public required string RuleFile { get; init; }

    public required string Name { get; init; }

    public string Method { get; init; } = "GET";

    public string Uri { get; init; } = "/";

    public string Version { get; init; } = "HTTP/1.1";

    public List<KeyValuePair<string, string>> Headers { get; init; } = [];

    public byte[] Data { get; init; } = [];

    public bool HasData { get; init; }

    public byte[]? EncodedRequest { get; init; }

    public bool AutocompleteHeaders { get; init; } = true;

    public List<int> ExpectIds { get; init; } = [];

    public List<int> NoExpectIds { get; init; } = [];

    public string? MatchRegex { get; init; }

    public string? NoMatchRegex { get; init; }

    public bool ExpectError { get; init; }

    /// <summary>Reads every test stage of every YAML file under the regression folder.</summary>
    public static List<CrsTestCase> LoadAll(string root)
    {
        var cases = new List<CrsTestCase>();
        foreach (var file in Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (!file.EndsWith(".yaml", StringComparison.Ordinal) && !file.EndsWith(".yml", StringComparison.Ordinal))
            {
                continue;
            }

            var ruleFile = Path.GetFileName(Path.GetDirectoryName(file))!;
            var stream = new YamlStream();
            using (var reader = new StreamReader(file))
            {
                stream.Load(reader);
            }

            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode document)
            {
                continue;
            }

            var ruleId = Scalar(document, "rule_id") ?? Path.GetFileNameWithoutExtension(file);
            foreach (var test in Sequence(document, "tests"))
            {
                var testId = Scalar(test, "test_id") ?? "?";
                var stageIndex = 0;
                foreach (var stage in Sequence(test, "stages"))
                {
                    var input = Map(stage, "input") ?? Map(Map(stage, "stage"), "input");
                    var output = Map(stage, "output") ?? Map(Map(stage, "stage"), "output");
                    if (input is null || output is null)
                    {
                        continue;
                    }

                    cases.Add(Read(ruleFile, $"{ruleId}-{testId}" + (stageIndex++ > 0 ? $"/{stageIndex}" : string.Empty), input, output));
                }
            }
        }

        return cases;
    }

    private static CrsTestCase Read(string ruleFile, string name, YamlMappingNode input, YamlMappingNode output)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (Map(input, "headers") is { } map)
        {
            foreach (var (key, value) in map.Children)
            {
                headers.Add(new(((YamlScalarNode)key).Value!, (value as YamlScalarNode)?.Value ?? string.Empty));
            }
        }

        var log = Map(output, "log");
        var data = Scalar(input, "data");
        var encoded = Scalar(input, "encoded_request");
        return new CrsTestCase
        {
            RuleFile = ruleFile,
            Name = name,
            Method = Scalar(input, "method") ?? "GET",
            Uri = Scalar(input, "uri") ?? "/",
            Version = Scalar(input, "version") ?? "HTTP/1.1",
            Headers = headers,
            Data = data is null ? [] : Encoding.UTF8.GetBytes(data),
            HasData = data is not null,
            EncodedRequest = encoded is null ? null : Convert.FromBase64String(encoded.Replace("\n", string.Empty, StringComparison.Ordinal)),
            AutocompleteHeaders = !string.Equals(Scalar(input, "autocomplete_headers"), "false", StringComparison.OrdinalIgnoreCase),
            ExpectIds = Ids(log ?? output, "expect_ids"),
            NoExpectIds = Ids(log ?? output, "no_expect_ids"),
            MatchRegex = log is null ? null : Scalar(log, "match_regex"),
            NoMatchRegex = log is null ? null : Scalar(log, "no_match_regex"),
            ExpectError = string.Equals(Scalar(output, "expect_error"), "true", StringComparison.OrdinalIgnoreCase),
        };
    }

    private static List<int> Ids(YamlMappingNode node, string key)
    {
        if (!node.Children.TryGetValue(new YamlScalarNode(key), out var value) || value is not YamlSequenceNode sequence)
        {
            return [];
        }

        return [.. sequence.Children.Select(c => int.Parse(((YamlScalarNode)c).Value!, System.Globalization.CultureInfo.InvariantCulture))];
    }

    private static string? Scalar(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    private static YamlMappingNode? Map(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value as YamlMappingNode : null;

    private static IEnumerable<YamlMappingNode> Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlSequenceNode sequence
            ? sequence.Children.OfType<YamlMappingNode>()
            : [];
}

using System.Globalization;
using System.Net;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EnvoyGovern.Cli.PolicyTesting;

/// <summary>
/// Reads test files (<c>tests:</c>, a list of name/request/expect) and explain request files
/// (<c>request:</c> and an optional <c>time:</c>). Collects every error instead of stopping at the first.
/// </summary>
internal static class TestFileReader
{
    private static readonly string[] RequestFields = ["method", "path", "host", "scheme", "protocol", "source", "principal", "headers", "body", "contextExtensions", "metadata"];

    public static IReadOnlyList<PolicyTestCase> ReadTests(string file, string text, ICollection<string> errors)
    {
        var yaml = new YamlFields(file, errors);
        if (Root(yaml, text) is not { } root)
        {
            return [];
        }

        var top = yaml.Mapping(root, "a test file", "tests");
        if (!top.TryGetValue("tests", out var list) || list is not YamlSequenceNode sequence)
        {
            yaml.Error(root, "a test file needs 'tests:', a list of tests");
            return [];
        }

        var tests = new List<PolicyTestCase>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in sequence)
        {
            var fields = yaml.Mapping(node, "a test", "name", "service", "request", "response", "expect", "time", "repeat");
            var name = yaml.RequiredText(fields, "name", "a test", node);
            var what = name is null ? "a test" : $"test '{name}'";
            if (name is not null && !names.Add(name))
            {
                yaml.Error(node, $"{what}: the name is used twice in this file");
            }

            var service = yaml.OptionalText(fields, "service", what) ?? "extauthz";
            if (service is not ("extauthz" or "extproc"))
            {
                yaml.Error(fields["service"], $"{what} 'service' must be extauthz (the decision, the default) or extproc (the inspectors), not '{service}'");
            }

            var extproc = service == "extproc";
            if (!extproc && fields.TryGetValue("response", out var response))
            {
                yaml.Error(response, $"{what}: 'response' is for ExtProc tests (service: extproc)");
            }

            var request = Required(yaml, fields, "request", what, node, n => ReadRequest(yaml, n, what));
            var expect = Required(yaml, fields, "expect", what, node, n => ReadExpectation(yaml, n, what, extproc));
            var time = ReadTime(yaml, fields, what);
            var repeat = yaml.Integer(fields, "repeat", what, 1, 10_000) ?? 1;
            var inspection = extproc && expect is not null
                ? new InspectionTest(fields.TryGetValue("response", out var answer) ? ReadResponse(yaml, answer, what) : null, ReadInspectionExpectation(yaml, fields["expect"], what))
                : null;
            if (name is not null && request is not null && expect is not null)
            {
                tests.Add(new PolicyTestCase(name, file, (int)node.Start.Line, request, expect, time, repeat, inspection));
            }
        }

        return tests;
    }

    /// <summary>The request of an explain file.</summary>
    public static (TestRequest? Request, DateTimeOffset? Time) ReadRequestFile(string file, string text, ICollection<string> errors)
    {
        var yaml = new YamlFields(file, errors);
        if (Root(yaml, text) is not { } root)
        {
            return (null, null);
        }

        var fields = yaml.Mapping(root, "a request file", "request", "time");
        var request = Required(yaml, fields, "request", "a request file", root, n => ReadRequest(yaml, n, "a request file"));
        return (request, ReadTime(yaml, fields, "a request file"));
    }

    private static YamlNode? Root(YamlFields yaml, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            yaml.Error(ex.Start, $"not valid YAML: {(ex.InnerException ?? ex).Message}");
            return null;
        }

        if (stream.Documents.Count != 1)
        {
            yaml.Error(Mark.Empty, "expected exactly one YAML document");
            return null;
        }

        return stream.Documents[0].RootNode;
    }

    private static T? Required<T>(YamlFields yaml, Dictionary<string, YamlNode> fields, string name, string what, YamlNode parent, Func<YamlNode, T?> read)
        where T : class
    {
        if (fields.TryGetValue(name, out var node))
        {
            return read(node);
        }

        yaml.Error(parent, $"{what} needs '{name}'");
        return null;
    }

    private static TestRequest? ReadRequest(YamlFields yaml, YamlNode node, string owner)
    {
        var what = $"{owner}: request";
        var fields = yaml.Mapping(node, what, RequestFields);
        var host = yaml.RequiredText(fields, "host", what, node);
        var source = yaml.OptionalText(fields, "source", what) ?? "127.0.0.1";
        if (!IPAddress.TryParse(source, out _))
        {
            yaml.Error(fields["source"], $"{what} 'source' must be an IP address (the peer Envoy saw), not '{source}'");
        }

        var headers = yaml.Map(fields, "headers", what);
        foreach (var (name, _) in headers.Where(h => h.Key.StartsWith(':')))
        {
            yaml.Error(fields["headers"], $"{what} header '{name}': set method, path, host and scheme instead of pseudo-headers");
        }

        return host is null ? null : new TestRequest
        {
            Host = host,
            Method = yaml.OptionalText(fields, "method", what) ?? "GET",
            Path = yaml.OptionalText(fields, "path", what) ?? "/",
            Scheme = yaml.OptionalText(fields, "scheme", what) ?? "https",
            Protocol = yaml.OptionalText(fields, "protocol", what) ?? "HTTP/1.1",
            Source = source,
            Principal = yaml.OptionalText(fields, "principal", what),
            Headers = [.. headers.Select(h => new KeyValuePair<string, string>(h.Key.ToLowerInvariant(), h.Value ?? ""))],
            Body = yaml.OptionalText(fields, "body", what),
            ContextExtensions = yaml.Map(fields, "contextExtensions", what).ToDictionary(e => e.Key, e => e.Value ?? "", StringComparer.Ordinal),
            Metadata = YamlStruct.Namespaces(yaml, fields, "metadata", what),
        };
    }

    private static TestExpectation? ReadExpectation(YamlFields yaml, YamlNode node, string owner, bool extproc = false)
    {
        var what = $"{owner}: expect";
        var fields = extproc
            ? yaml.Mapping(node, what, "decision", "status", "reason", "headers", "requestBody", "responseBody", "findings")
            : yaml.Mapping(node, what, "decision", "status", "reason", "headers");
        var decision = yaml.RequiredText(fields, "decision", what, node);
        if (decision is not null and not "allow" and not "deny")
        {
            yaml.Error(fields["decision"], $"{what} 'decision' must be allow or deny, not '{decision}'");
            return null;
        }

        return decision is null ? null : new TestExpectation
        {
            Decision = decision,
            Status = yaml.Integer(fields, "status", what, 100, 599),
            Reason = yaml.OptionalText(fields, "reason", what),
            Headers = [.. yaml.Map(fields, "headers", what, allowNull: true).Select(h => new KeyValuePair<string, string?>(h.Key.ToLowerInvariant(), h.Value))],
        };
    }

    private static TestResponse ReadResponse(YamlFields yaml, YamlNode node, string owner)
    {
        var what = $"{owner}: response";
        var fields = yaml.Mapping(node, what, "status", "headers", "body");
        return new TestResponse
        {
            Status = yaml.Integer(fields, "status", what, 100, 599) ?? 200,
            Headers = [.. yaml.Map(fields, "headers", what).Select(h => new KeyValuePair<string, string>(h.Key.ToLowerInvariant(), h.Value ?? ""))],
            Body = yaml.OptionalText(fields, "body", what),
        };
    }

    // The ExtProc-only members of an expectation (the mapping was checked by ReadExpectation).
    private static InspectionExpectation ReadInspectionExpectation(YamlFields yaml, YamlNode node, string owner)
    {
        var what = $"{owner}: expect";
        var fields = ((YamlMappingNode)node).Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value ?? "", c => c.Value, StringComparer.Ordinal);
        var findings = new List<string>();
        if (fields.TryGetValue("findings", out var list))
        {
            if (list is YamlSequenceNode sequence)
            {
                findings.AddRange(sequence.Select(item => yaml.Text(item, $"{what} findings") ?? ""));
            }
            else
            {
                yaml.Error(list, $"{what} 'findings' must be a list of rule ids such as [pii.email]");
            }
        }

        return new InspectionExpectation
        {
            RequestBody = yaml.OptionalText(fields, "requestBody", what),
            ResponseBody = yaml.OptionalText(fields, "responseBody", what),
            Findings = findings,
        };
    }

    private static DateTimeOffset? ReadTime(YamlFields yaml, Dictionary<string, YamlNode> fields, string what)
    {
        if (yaml.OptionalText(fields, "time", what) is not { } text)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        yaml.Error(fields["time"], $"{what} 'time' must be a date and time such as 2026-11-26T10:00:00Z, not '{text}'");
        return null;
    }
}

using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EnvoyGovern.ExtProc.Waf;
using EnvoyGovern.ExtProc.Waf.Engine;
using EnvoyGovern.ExtProc.Waf.Rules;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Waf.Crs;

/// <summary>Outcome of one regression case.</summary>
internal sealed record CrsCaseResult(CrsTestCase Case, bool? Passed, string Detail);

/// <summary>
/// Replays the CRS regression YAML through the engine as go-ftw does in log mode: the ids in
/// <c>expect_ids</c> must be logged, those in <c>no_expect_ids</c> must not. The rules run as the CRS
/// project's own test setup runs them (DetectionOnly, paranoia level 4 so every rule runs, the same
/// argument and file limits, UTF-8 validation on). The request reaches the engine as Envoy would deliver
/// it to ext_proc (see <see cref="EnvoyDelivery"/>); the backend is emulated like the CRS test backend
/// (albedo's <c>/reflect</c> answers with the status, headers and body the request asks for).
/// </summary>
internal static class CrsRegressionRunner
{
    public const string TestSetup = """
        SecRuleEngine DetectionOnly
        SecAction "id:9990001,phase:1,pass,nolog,\
            setvar:tx.blocking_paranoia_level=4,\
            setvar:tx.arg_length=400,\
            setvar:tx.total_arg_length=6400,\
            setvar:tx.max_file_size=64100,\
            setvar:tx.combined_file_sizes=65535,\
            setvar:tx.crs_validate_utf8_encoding=1"
        """;

    private static readonly Lazy<RuleSet> Rules = new(() =>
    {
        var rules = WafRuleLoader.Load(new WafRuleSources { CrsDirectory = RepoPaths.Crs, SetupOverrides = TestSetup, RegexTimeout = TimeSpan.FromSeconds(2) });

        // The service's steady state: the background compilation after a load has run.
        rules.CompileRegexes();
        return rules;
    });

    public static RuleSet RuleSet => Rules.Value;

    public static List<CrsCaseResult> RunAll(Func<CrsTestCase, bool>? filter = null)
    {
        var cases = CrsTestCase.LoadAll(Path.Combine(RepoPaths.Crs, "tests", "regression", "tests"));
        var results = new List<CrsCaseResult>(cases.Count);
        foreach (var test in cases)
        {
            if (filter is null || filter(test))
            {
                results.Add(Run(test));
            }
        }

        return results;
    }

    public static CrsCaseResult Run(CrsTestCase test)
    {
        var request = EnvoyDelivery.Build(test, out var rejection);
        if (request is null)
        {
            return new CrsCaseResult(test, null, rejection!);
        }

        var transaction = new WafTransaction(RuleSet, "crs-test");
        var (line, headers) = EnvoyExchange.Request(request.Headers, request.Attributes);
        transaction.ProcessRequestHeaders(line, headers);
        transaction.AppendRequestBody(request.Body);
        transaction.ProcessRequestBody();
        var (status, responseHeaders, responseBody) = Backend(line.Uri, request.Body);
        transaction.ProcessResponseHeaders(status, "HTTP/1.1", responseHeaders);
        transaction.AppendResponseBody(responseBody);
        transaction.ProcessResponseBody();
        transaction.ProcessLogging();
        if (transaction.LimitExceeded is not null)
        {
            return new CrsCaseResult(test, false, "limit: " + transaction.LimitExceeded);
        }

        var logged = transaction.Matches.Where(m => m.Logged).Select(m => m.Rule.Id).ToHashSet();
        var log = string.Join('\n', transaction.Matches.Where(m => m.Logged).Select(m => $"[id \"{m.Rule.Id}\"] [msg \"{m.Message}\"] [data \"{m.LogData}\"]"));
        var missing = test.ExpectIds.Where(id => !logged.Contains(id)).ToList();
        var unexpected = test.NoExpectIds.Where(logged.Contains).ToList();
        var passed = missing.Count == 0 && unexpected.Count == 0;
        if (test.MatchRegex is not null && !Regex.IsMatch(log, test.MatchRegex, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            passed = false;
        }

        if (test.NoMatchRegex is not null && Regex.IsMatch(log, test.NoMatchRegex, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            passed = false;
        }

        var detail = passed ? string.Empty : $"missing [{string.Join(',', missing)}] unexpected [{string.Join(',', unexpected)}] logged [{string.Join(',', logged.Order())}]";
        return new CrsCaseResult(test, passed, detail);
    }

    // albedo: /reflect answers with the JSON request's status, headers and body; anything else is a 200.
    private static (int Status, List<KeyValuePair<string, string>> Headers, byte[] Body) Backend(string uri, byte[] requestBody)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (uri.StartsWith("/reflect", StringComparison.Ordinal) && requestBody.Length > 0)
        {
            try
            {
                using var json = JsonDocument.Parse(requestBody);
                var root = json.RootElement;
                var status = root.TryGetProperty("status", out var s) && s.TryGetInt32(out var code) ? code : 200;
                if (root.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in h.EnumerateObject())
                    {
                        headers.Add(new(property.Name.ToLowerInvariant(), property.Value.GetString() ?? string.Empty));
                    }
                }

                if (!headers.Any(x => x.Key == "content-type"))
                {
                    headers.Add(new("content-type", "text/plain"));
                }

                var body = root.TryGetProperty("body", out var b) ? Encoding.UTF8.GetBytes(b.GetString() ?? string.Empty) : [];
                return (status, headers, body);
            }
            catch (JsonException)
            {
                // Not a reflect request after all: the plain answer below.
            }
        }

        headers.Add(new("content-type", "text/html"));
        return (200, headers, []);
    }

    /// <summary>The per-rule-file pass table (markdown), with the excluded cases and their reasons.</summary>
    public static string Table(List<CrsCaseResult> results, TimeSpan elapsed)
    {
        var builder = new StringBuilder();
        builder.AppendLine("| rule file | cases | run | passed | pass rate | not deliverable through Envoy |");
        builder.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var group in results.GroupBy(r => r.Case.RuleFile).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var run = group.Count(r => r.Passed is not null);
            var passed = group.Count(r => r.Passed == true);
            var rate = run == 0 ? "—" : $"{100.0 * passed / run:F1}%";
            builder.AppendLine(System.FormattableString.Invariant($"| {group.Key} | {group.Count()} | {run} | {passed} | {rate} | {group.Count(r => r.Passed is null)} |"));
        }

        var request = results.Where(r => r.Case.RuleFile.StartsWith("REQUEST-", StringComparison.Ordinal) && r.Passed is not null).ToList();
        var all = results.Where(r => r.Passed is not null).ToList();
        builder.AppendLine(System.FormattableString.Invariant(
            $"| **request side (REQUEST-\\*)** | {results.Count(r => r.Case.RuleFile.StartsWith("REQUEST-", StringComparison.Ordinal))} | {request.Count} | {request.Count(r => r.Passed == true)} | **{RequestPassRate(results):F1}%** | |"));
        builder.AppendLine(System.FormattableString.Invariant(
            $"| all | {results.Count} | {all.Count} | {all.Count(r => r.Passed == true)} | {100.0 * all.Count(r => r.Passed == true) / Math.Max(1, all.Count):F1}% | {results.Count(r => r.Passed is null)} |"));
        builder.AppendLine();
        builder.AppendLine(System.FormattableString.Invariant($"Run time {elapsed.TotalSeconds:F1} s. Cases not deliverable through Envoy (never reach ext_proc), by reason:"));
        builder.AppendLine();
        foreach (var reason in results.Where(r => r.Passed is null).GroupBy(r => Regex.Replace(r.Detail, " '[^']*'$", string.Empty, RegexOptions.None, TimeSpan.FromSeconds(1))).OrderByDescending(g => g.Count()))
        {
            builder.AppendLine(System.FormattableString.Invariant($"- {reason.Key} ({reason.Count()}): {string.Join(", ", reason.Select(r => r.Case.Name))}"));
        }

        return builder.ToString();
    }

    public static double RequestPassRate(List<CrsCaseResult> results)
    {
        var request = results.Where(r => r.Case.RuleFile.StartsWith("REQUEST-", StringComparison.Ordinal) && r.Passed is not null).ToList();
        return request.Count == 0 ? 0 : 100.0 * request.Count(r => r.Passed == true) / request.Count;
    }

    public static TimeSpan Time(Action action)
    {
        var start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start);
    }
}

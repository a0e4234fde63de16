using System.Text;
using EnvoyGovern.ExtProc.Waf.Engine;
using EnvoyGovern.ExtProc.Waf.Rules;

namespace EnvoyGovern.ExtProc.Waf.Inspection;

/// <summary>
/// Runs a few ordinary exchanges through a rule set before it serves: the first exchange through a cold engine
/// pays for compiling its code and building its regexes' first states (~60 ms with the full CRS on a busy 2-core
/// host), which a real request would otherwise pay against <c>Waf:EvaluationTimeout</c>, answered in blocking mode
/// as a <c>waf_limit</c> 403. At paranoia level 4, detection only, so that every rule runs and nothing interrupts.
/// </summary>
internal static class RuleSetWarmUp
{
    private const string Level = "4";

    private static readonly KeyValuePair<string, string>[] BrowserHeaders =
    [
        new("host", "warm-up.envoygovern.invalid"),
        new("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"),
        new("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
        new("accept-language", "en-US,en;q=0.9"),
        new("accept-encoding", "gzip, deflate, br"),
        new("cookie", "session=3f1c2d8e0b7a4c1e; theme=dark"),
        new("referer", "https://warm-up.envoygovern.invalid/catalog?page=2"),
        new("x-forwarded-proto", "https"),
    ];

    private static readonly byte[] Form = Encoding.ASCII.GetBytes("model=gpt-4o&prompt=tell+me+a+story+about+dragons&temperature=0.7");
    private static readonly byte[] Json = Encoding.ASCII.GetBytes("""{"model":"gpt-4o","messages":[{"role":"user","content":"Tell me a story about dragons."}],"stream":false}""");
    private static readonly byte[] Answer = Encoding.ASCII.GetBytes("""{"id":"warm-up","choices":[{"message":{"role":"assistant","content":"Once upon a time."}}]}""");

    /// <summary>A GET, a urlencoded POST and a JSON POST with its answer, through <paramref name="rules"/>.</summary>
    public static void Run(RuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        Exchange(rules, "GET", "/v1/models?include=versions&page=2", null, null);
        Exchange(rules, "POST", "/v1/completions", "application/x-www-form-urlencoded", Form);
        Exchange(rules, "POST", "/v1/chat/completions", "application/json", Json);
    }

    /// <summary>Runs request phases 1 and 2 of <paramref name="transaction"/> for a request with these headers and body.</summary>
    internal static void Request(WafTransaction transaction, string method, string uri, IEnumerable<KeyValuePair<string, string>> headers, string? contentType, byte[]? body)
    {
        List<KeyValuePair<string, string>> all = [.. headers];
        if (contentType is not null && body is not null)
        {
            all.Add(new("content-type", contentType));
            all.Add(new("content-length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        transaction.ProcessRequestHeaders(new RequestLine(method, uri, "HTTP/1.1"), all);
        if (body is not null)
        {
            transaction.AppendRequestBody(body);
        }

        transaction.ProcessRequestBody();
    }

    private static void Exchange(RuleSet rules, string method, string uri, string? contentType, byte[]? body)
    {
        var transaction = new WafTransaction(rules, "warm-up", RuleEngineMode.DetectionOnly);
        try
        {
            transaction.SetVariable(Variable.Tx, "blocking_paranoia_level", Level);
            transaction.SetVariable(Variable.Tx, "detection_paranoia_level", Level);
            Request(transaction, method, uri, BrowserHeaders, contentType, body);
            transaction.ProcessResponseHeaders(200, "HTTP/1.1", [new("content-type", "application/json"), new("content-length", Answer.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
            transaction.AppendResponseBody(Answer);
            transaction.ProcessResponseBody();
            transaction.ProcessLogging();
        }
        finally
        {
            transaction.Release();
        }
    }
}

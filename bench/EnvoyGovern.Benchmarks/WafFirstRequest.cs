using System.Diagnostics;
using System.Text;
using EnvoyGovern.ExtProc.Waf;
using EnvoyGovern.ExtProc.Waf.Engine;
using EnvoyGovern.ExtProc.Waf.Inspection;
using EnvoyGovern.ExtProc.Waf.Rules;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// <c>waf-first [rounds]</c>: the service's life of a rule set in one fresh process (load the CRS, warm up, compile the regexes
/// and warm up again, as <c>WafRuleSetProvider</c> does), then the wall time of the first requests the rules serve after that, then of the
/// same requests again. The first ones pay for whatever the warm-up and the compilation left cold (code never run,
/// a compiled regex's first call); run it a few times, each in a new process.
/// </summary>
internal static class WafFirstRequest
{
    private static readonly List<KeyValuePair<string, string>> Headers =
    [
        new("host", "api.example.com"),
        new("user-agent", "curl/8.5.0"),
        new("accept", "application/json"),
        new("authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhY21lIn0.c2lnbmF0dXJl"),
        new("x-request-id", "0b7a4c1e-9d2f-4c1e-8d2f-3a4b5c6d7e8f"),
    ];

    public static void Run(int rounds)
    {
        var started = Stopwatch.GetTimestamp();
        var rules = WafRuleLoader.Load(new WafRuleSources { CrsDirectory = CrsPaths.Directory });
        var loaded = Stopwatch.GetElapsedTime(started);
        RuleSetWarmUp.Run(rules);
        var warmed = Stopwatch.GetElapsedTime(started);
        rules.CompileRegexes();
        RuleSetWarmUp.Run(rules);
        var compiled = Stopwatch.GetElapsedTime(started);
        Console.WriteLine($"load {loaded.TotalMilliseconds:F0} ms, warm-up until {warmed.TotalMilliseconds:F0} ms, regexes compiled and warmed up until {compiled.TotalMilliseconds:F0} ms");

        for (var round = 1; round <= rounds; round++)
        {
            var get = Time(() => Exchange(rules, "GET", "/api/v2/orders?status=shipped&sort=-created&limit=50", null, null));
            var form = Time(() => Exchange(rules, "POST", "/api/v2/orders", "application/x-www-form-urlencoded",
                "customer=Jane+Doe&email=jane.doe%40example.org&street=221B+Baker+Street&city=London&note=Please+leave+it+at+the+door%2C+thanks%21&qty=3"u8.ToArray()));
            var json = Time(() => Exchange(rules, "POST", "/v1/chat/completions", "application/json",
                Encoding.ASCII.GetBytes("""{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Summarise the quarterly report in three bullet points."}],"max_tokens":256}""")));
            Console.WriteLine($"round {round}: GET {get:F2} ms, urlencoded POST {form:F2} ms, JSON POST {json:F2} ms");
        }

        // What the process keeps (the load's garbage gone): code JIT-compiled, the rules, the engines' states.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Console.WriteLine($"kept after a full compacting GC: {Status("VmRSS")} resident ({Status("VmHWM")} at the peak), "
            + $"{GC.GetTotalMemory(false) / 1024 / 1024} MB managed heap, {System.Runtime.JitInfo.GetCompiledMethodCount()} methods JIT-compiled");
    }

    private static string Status(string field) =>
        File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal))[(field.Length + 1)..].Trim();

    private static double Time(Action exchange)
    {
        var started = Stopwatch.GetTimestamp();
        exchange();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static void Exchange(RuleSet rules, string method, string uri, string? contentType, byte[]? body)
    {
        var transaction = new WafTransaction(rules, "first", RuleEngineMode.On);
        try
        {
            RuleSetWarmUp.Request(transaction, method, uri, Headers, contentType, body);
            if (transaction.Interruption is not null)
            {
                throw new InvalidOperationException($"{method} {uri} was blocked: the first-request figures are for ordinary requests");
            }
        }
        finally
        {
            transaction.Release();
        }
    }
}

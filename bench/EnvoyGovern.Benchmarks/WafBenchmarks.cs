using System.Text;
using BenchmarkDotNet.Attributes;
using EnvoyGovern.ExtProc.Waf;
using EnvoyGovern.ExtProc.Waf.Engine;
using EnvoyGovern.ExtProc.Waf.Rules;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// One exchange's request phases (1 and 2) through the WAF at paranoia level 1, with the full OWASP CRS
/// v4.28.0 (regexes compiled, as after the background compilation that follows a load), against the
/// same requests through an empty ruleset (the engine's own cost: variables, argument and body parsing).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[MinColumn]
public class WafBenchmarks
{
    private static readonly List<KeyValuePair<string, string>> BrowserHeaders =
    [
        new("host", "api.example.com"),
        new("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"),
        new("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
        new("accept-language", "en-US,en;q=0.9"),
        new("accept-encoding", "gzip, deflate, br"),
        new("cookie", "session=3f1c2d8e0b7a4c1e9d2f3a4b5c6d7e8f; theme=dark"),
        new("referer", "https://api.example.com/catalog?page=2"),
        new("x-forwarded-proto", "https"),
        new("x-request-id", "6f1c2d8e-0b7a-4c1e-9d2f-3a4b5c6d7e8f"),
    ];

    // Prose for the distinct-values form (no shell command or SQL word): each field takes eight words from its own
    // offset, so no two of the form's values are equal.
    private static readonly string[] Words =
        "lorem ipsum dolor sit amet consectetur adipiscing elit eiusmod tempor incididunt labore dolore magna aliqua enim minim veniam quis nostrud exercitation ullamco laboris nisi aliquip commodo consequat duis aute irure reprehenderit voluptate velit esse cillum fugiat nulla pariatur".Split(' ');

    private RuleSet _crs = null!;
    private RuleSet _empty = null!;
    private byte[] _form = null!;
    private byte[] _distinctForm = null!;
    private List<KeyValuePair<string, string>> _formHeaders = null!;

    [GlobalSetup]
    public void Setup()
    {
        _crs = WafRuleLoader.Load(new WafRuleSources { CrsDirectory = CrsPaths.Directory });
        _crs.CompileRegexes();
        _empty = EmptyRules();
        var form = new StringBuilder("model=gpt-4o&stream=false&temperature=0.7");
        var i = 0;
        while (form.Length < 2048)
        {
            form.Append("&field").Append(i++).Append("=Lorem+ipsum+dolor+sit+amet%2C+consectetur+adipiscing+elit");
        }

        _form = Encoding.ASCII.GetBytes(form.ToString(0, 2048));
        _distinctForm = DistinctValuesForm();
        _formHeaders = [.. BrowserHeaders, new("content-type", "application/x-www-form-urlencoded"), new("content-length", "2048")];
        if (Get(_crs).Interruption is not null || Post(_crs, _form).Interruption is not null || Post(_crs, _distinctForm).Interruption is not null)
        {
            throw new InvalidOperationException("the benchmark requests must pass the CRS at paranoia level 1");
        }
    }

    [Benchmark(Baseline = true, Description = "GET, empty ruleset (baseline)")]
    public object GetEmpty() => Released(Get(_empty));

    [Benchmark(Description = "GET, CRS PL1")]
    public object GetCrs() => Released(Get(_crs));

    [Benchmark(Description = "2 KB urlencoded POST, empty ruleset")]
    public object PostEmpty() => Released(Post(_empty, _form));

    [Benchmark(Description = "2 KB urlencoded POST, CRS PL1")]
    public object PostCrs() => Released(Post(_crs, _form));

    /// <summary>
    /// The POST with no two values equal: <see cref="PostCrs"/>'s form repeats one value ~30 times, which the engine
    /// evaluates once per rule; this form shows the cost when every value is new.
    /// </summary>
    [Benchmark(Description = "2 KB urlencoded POST of distinct values, CRS PL1")]
    public object PostCrsDistinct() => Released(Post(_crs, _distinctForm));

    /// <summary>The loaded CRS (for <see cref="WafAblation"/>).</summary>
    internal RuleSet CrsRules => _crs;

    /// <summary>
    /// The distinct-values POST with the rules <paramref name="removed"/> removed for the transaction; null removes a
    /// rule id that no CRS rule has, so both cost the removal check.
    /// </summary>
    internal object PostDistinct(RuleIdRange? removed)
    {
        var transaction = new WafTransaction(_crs, "bench", RuleEngineMode.On);
        transaction.RemoveRules(removed ?? new RuleIdRange(1, 1));
        transaction.ProcessRequestHeaders(new RequestLine("POST", "/v1/completions", "HTTP/1.1"), _formHeaders);
        transaction.AppendRequestBody(_distinctForm);
        transaction.ProcessRequestBody();
        return Released(transaction);
    }

    // As the ext_proc service does when an exchange ends: the transaction's collections go back to their pool, so
    // the next request reuses them (without it every request allocated ~70 fresh collections, which no served
    // request does).
    private static WafTransaction Released(WafTransaction transaction)
    {
        transaction.Release();
        return transaction;
    }

    private static WafTransaction Get(RuleSet rules)
    {
        var transaction = new WafTransaction(rules, "bench", RuleEngineMode.On);
        transaction.ProcessRequestHeaders(new RequestLine("GET", "/v1/models/gpt-4o?include=versions&page=2&sort=name", "HTTP/1.1"), BrowserHeaders);
        transaction.ProcessRequestBody();
        return transaction;
    }

    private WafTransaction Post(RuleSet rules, byte[] form)
    {
        var transaction = new WafTransaction(rules, "bench", RuleEngineMode.On);
        transaction.ProcessRequestHeaders(new RequestLine("POST", "/v1/completions", "HTTP/1.1"), _formHeaders);
        transaction.AppendRequestBody(form);
        transaction.ProcessRequestBody();
        return transaction;
    }

    // The same shape as the repeated form (model fields, then fieldN=eight words), 2,048 bytes.
    private static byte[] DistinctValuesForm()
    {
        var form = new StringBuilder("model=gpt-4o&stream=false&temperature=0.7");
        var i = 0;
        while (form.Length < 2048)
        {
            form.Append("&field").Append(i).Append('=');
            for (var w = 0; w < 8; w++)
            {
                form.Append(w == 0 ? string.Empty : "+").Append(Words[((i * 7) + (w * 5)) % Words.Length]);
            }

            i++;
        }

        return Encoding.ASCII.GetBytes(form.ToString(0, 2048));
    }

    private static RuleSet EmptyRules()
    {
        var builder = new ExtProc.Waf.SecLang.RuleSetBuilder(TimeSpan.FromSeconds(1));
        builder.AddText("SecRuleEngine On\nSecRequestBodyAccess On", "(empty)", ".");
        return builder.Build();
    }
}

/// <summary>Loading the full CRS (parse, translate and construct every regex) against loading the built-in rules.</summary>
#pragma warning disable CA1822 // BenchmarkDotNet runs instance methods
public class WafLoadBenchmarks
{
    [Benchmark(Baseline = true, Description = "load built-in rules (baseline)")]
    public object LoadBuiltIn() => WafRuleLoader.Load(new WafRuleSources());

    [Benchmark(Description = "load full CRS v4.28.0")]
    public object LoadCrs() => WafRuleLoader.Load(new WafRuleSources { CrsDirectory = CrsPaths.Directory });
}
#pragma warning restore CA1822

internal static class CrsPaths
{
    /// <summary>The shared CRS copy: <c>ENVOYGOVERN_SHARED</c>, else <c>shared/data/crs</c> in the nearest folder above.</summary>
    public static string Directory { get; } = Find();

    private static string Find()
    {
        var configured = Environment.GetEnvironmentVariable("ENVOYGOVERN_SHARED");
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.Combine(configured, "data", "crs");
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "data", "crs");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("shared/data/crs not found; set ENVOYGOVERN_SHARED");
    }
}

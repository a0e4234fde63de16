using BenchmarkDotNet.Attributes;
using EnvoyGovern.ExtProc.Waf.Detection;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// The @detectSQLi and @detectXSS operators on one value, against a case-insensitive substring scan of
/// the same value (the cheapest thing a rule can do with it).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class WafDetectionBenchmarks
{
    // A typical 200-character prompt field: apostrophes, quotes, digits, punctuation.
    private readonly string _benign =
        "Hi! Could you summarise the attached Q3 report in 3 bullet points? It's for O'Brien's team "
        + "meeting at 10 o'clock, so keep it under 100 words and mention the \"net revenue\" figure. Thanks!";

    private readonly string _sqlAttack = "1' UNION ALL SELECT username, password FROM users WHERE '1'='1' -- ";

    private readonly string _xssAttack = "\"><img src=x onerror=alert(document.cookie)>";

    [GlobalSetup]
    public void Setup()
    {
        if (SqlInjectionDetector.IsSqlInjection(_benign, out _) || XssDetector.IsXss(_benign)
            || !SqlInjectionDetector.IsSqlInjection(_sqlAttack, out _) || !XssDetector.IsXss(_xssAttack))
        {
            throw new InvalidOperationException("The benchmark inputs are not classified as expected");
        }
    }

    [Benchmark(Baseline = true, Description = "baseline: Contains(\"union select\", OrdinalIgnoreCase), 200 chars")]
    public bool ContainsScan() => _benign.Contains("union select", StringComparison.OrdinalIgnoreCase);

    [Benchmark(Description = "IsSqlInjection, benign 200 chars")]
    public bool SqliBenign() => SqlInjectionDetector.IsSqlInjection(_benign, out _);

    [Benchmark(Description = "IsSqlInjection, attack")]
    public bool SqliAttack() => SqlInjectionDetector.IsSqlInjection(_sqlAttack, out _);

    [Benchmark(Description = "IsXss, benign 200 chars")]
    public bool XssBenign() => XssDetector.IsXss(_benign);

    [Benchmark(Description = "IsXss, attack")]
    public bool XssAttackValue() => XssDetector.IsXss(_xssAttack);
}

using EnvoyGovern.ExtProc.Waf.Detection;

namespace EnvoyGovern.Tests.Waf.Detection;

/// <summary>
/// The CRS v4.28.0 regression tests of the libinjection rules, run against our detectors: for each
/// test, the values the rule inspects, transformed as the rule says, must make the detector agree
/// with the test's expect_ids / no_expect_ids. Every case of 942100, 942101, 941100 and 941101 is
/// met; there is no list of exceptions. The transformations are approximated here (CrsTransforms);
/// the engine's own are tested with the engine.
/// </summary>
public sealed class CrsRegressionTests
{
    private const string Sqli = "REQUEST-942-APPLICATION-ATTACK-SQLI";
    private const string Xss = "REQUEST-941-APPLICATION-ATTACK-XSS";

    private static readonly CrsTargets Sqli942100 = new(["User-Agent", "Referer", "Cookie"], Filename: false, Args: true);
    private static readonly CrsTargets Sqli942101 = new([], Filename: true, Args: false);
    private static readonly CrsTargets Xss941100 = new(["User-Agent", "Cookie"], Filename: false, Args: true);
    private static readonly CrsTargets Xss941101 = new(["Referer"], Filename: true, Args: false);

    public static TheoryData<string> SqliCases() => new(Ids(Sqli, "942100", Sqli942100).Concat(Ids(Sqli, "942101", Sqli942101)));

    public static TheoryData<string> XssCases() => new(Ids(Xss, "941100", Xss941100).Concat(Ids(Xss, "941101", Xss941101)));

    [Theory]
    [MemberData(nameof(SqliCases))]
    public void IsSqlInjection_CrsRegressionCase_AgreesWithCrs(string id)
    {
        var test = Find(id);
        var hits = test.Values.Select(CrsTransforms.ForSqli)
            .Where(v => SqlInjectionDetector.IsSqlInjection(v, out _)).ToList();

        Assert.True(test.Expected == (hits.Count > 0), Describe(test, hits, v => SqlInjectionDetector.IsSqlInjection(CrsTransforms.ForSqli(v), out var f) ? f : "-"));
    }

    [Theory]
    [MemberData(nameof(XssCases))]
    public void IsXss_CrsRegressionCase_AgreesWithCrs(string id)
    {
        var test = Find(id);
        var hits = test.Values.Select(CrsTransforms.ForXss).Where(v => XssDetector.IsXss(v)).ToList();

        Assert.True(test.Expected == (hits.Count > 0), Describe(test, hits, v => XssDetector.IsXss(CrsTransforms.ForXss(v)) ? "xss" : "-"));
    }

    private static CrsRegressionCase Find(string id)
    {
        var rule = id[..6];
        var (folder, targets) = rule switch
        {
            "942100" => (Sqli, Sqli942100),
            "942101" => (Sqli, Sqli942101),
            "941100" => (Xss, Xss941100),
            _ => (Xss, Xss941101),
        };
        return CrsRegressionCase.Load(folder, rule, targets).Single(c => c.Id == id);
    }

    private static IEnumerable<string> Ids(string folder, string rule, CrsTargets targets) =>
        CrsRegressionCase.Load(folder, rule, targets).Select(c => c.Id);

    private static string Describe(CrsRegressionCase test, List<string> hits, Func<string, string> verdict) =>
        $"{test.Id}: expected {(test.Expected ? "a detection" : "none")}, detected in {hits.Count} value(s): "
        + string.Join(" | ", test.Values.Select(v => $"[{v}] => {verdict(v)}"));
}

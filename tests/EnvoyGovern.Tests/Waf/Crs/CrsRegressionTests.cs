using EnvoyGovern.ExtProc.Waf.Operators;

namespace EnvoyGovern.Tests.Waf.Crs;

/// <summary>The CRS v4.28.0 regression suite replayed through the engine (see <see cref="CrsRegressionRunner"/>).</summary>
public sealed class CrsRegressionTests
{
    private const double RequiredRequestPassRate = 95.0;

    [Fact]
    public void RegressionSuite_RequestSide_PassesAtLeast95Percent()
    {
        List<CrsCaseResult> results = [];
        // Every value a prefilter rejects in the suite (an @rx literal prefilter, an @rx or @pm char gate) is also
        // given to the operator itself: a match would be a prefilter bug hiding an attack (the hook is process-wide;
        // other tests' values are checked too).
        var prefilterMisses = new System.Collections.Concurrent.ConcurrentBag<string>();
        WafOperator.PrefilterAudit = (op, value) => prefilterMisses.Add($"{op} (gate {op.Gate}) rejected a match: {value}");
        TimeSpan elapsed;
        try
        {
            elapsed = CrsRegressionRunner.Time(() => results = CrsRegressionRunner.RunAll());
        }
        finally
        {
            WafOperator.PrefilterAudit = null;
        }

        Assert.Empty(prefilterMisses);
        var table = CrsRegressionRunner.Table(results, elapsed);
        var failuresFile = Environment.GetEnvironmentVariable("ENVOYGOVERN_CRS_FAILURES");
        if (!string.IsNullOrEmpty(failuresFile))
        {
            File.WriteAllLines(failuresFile, results.Where(r => r.Passed == false).Select(r => $"{r.Case.RuleFile} {r.Case.Name}: {r.Detail}"));
        }

        if (Environment.GetEnvironmentVariable("ENVOYGOVERN_WRITE_CRS_TABLE") == "1")
        {
            BenchReadme.ReplaceSection("CRS regression", table, "CrsRegressionTests with ENVOYGOVERN_WRITE_CRS_TABLE=1");
        }

        var rate = CrsRegressionRunner.RequestPassRate(results);
        Assert.True(rate >= RequiredRequestPassRate, $"request-side pass rate {rate:F1}% is below {RequiredRequestPassRate}%\n{table}");
    }
}

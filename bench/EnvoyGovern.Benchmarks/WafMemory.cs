using System.Diagnostics;
using EnvoyGovern.ExtProc.Waf;
using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.ExtProc.Waf.Rules;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// <c>waf-memory</c>: the live heap the full CRS holds after its load and after the background regex
/// compilation, how many patterns run on each engine, and what the <c>@pm</c>/<c>@pmFromFile</c> phrase
/// automata hold (the live heap that dropping them frees). Not a BenchmarkDotNet benchmark: it measures
/// what stays allocated, which BenchmarkDotNet's allocation counts do not show.
/// </summary>
internal static class WafMemory
{
    public static void Run()
    {
        var baseline = LiveHeap();
        var started = Stopwatch.GetTimestamp();
        var rules = WafRuleLoader.Load(new WafRuleSources { CrsDirectory = CrsPaths.Directory });
        var loaded = Stopwatch.GetElapsedTime(started);
        var afterLoad = LiveHeap();
        started = Stopwatch.GetTimestamp();
        rules.CompileRegexes();
        var compiled = Stopwatch.GetElapsedTime(started);
        var afterCompile = LiveHeap();
        var linear = rules.Regexes.Count(r => r.IsLinear);
        Console.WriteLine($"CRS load: {loaded.TotalMilliseconds:F0} ms, live heap +{(afterLoad - baseline) / 1048576.0:F1} MB");
        Console.WriteLine($"regex compilation: {compiled.TotalMilliseconds:F0} ms, live heap +{(afterCompile - afterLoad) / 1048576.0:F1} MB");
        Console.WriteLine($"patterns: {rules.Regexes.Count} ({linear} non-backtracking, {rules.Regexes.Count - linear} compiled backtracking), "
            + $"{rules.Regexes.Count(r => r.Prefilter is not null)} with a literal prefilter, "
            + $"{rules.Regexes.Count(r => r.Conditional is not null)} with a conditional one");

        // Last, as it takes the phrase operators out of the rules: what they held is what the heap loses.
        var phraseRules = AllRules(rules).Where(r => r.Operator is PmOperator).ToList();
        var beforeDrop = LiveHeap();
        foreach (var rule in phraseRules)
        {
            rule.Operator = null;
        }

        var afterDrop = LiveHeap();
        Console.WriteLine($"phrase automata (@pm, @pmFromFile): {phraseRules.Count} operators, live heap {(beforeDrop - afterDrop) / 1048576.0:F1} MB");
        GC.KeepAlive(rules);
    }

    private static IEnumerable<Rule> AllRules(RuleSet rules)
    {
        foreach (var phase in rules.Phases.Where(p => p is not null))
        {
            foreach (var start in phase)
            {
                for (var rule = start; rule is not null; rule = rule.Chained)
                {
                    yield return rule;
                }
            }
        }
    }

    private static long LiveHeap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

using System.Diagnostics;
using EnvoyGovern.ExtProc.Waf.Rules;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// <c>waf-ablate [rule ids]</c>: the real marginal cost of each CRS rule on the distinct-values POST (the
/// <see cref="WafBenchmarks"/> form): the request with the rule removed for the transaction (as <c>ctl:ruleRemoveById</c>
/// does) against the same request with a removal that matches no rule, interleaved in one process, median of batches.
/// Without ids, every phase 1 and 2 rule that has an operator. Instrumenting each rule with timers inflates the small
/// per-value steps that dominate; removing the rule measures what it costs, what it shares with others excepted.
/// </summary>
internal static class WafAblation
{
    private const int Batch = 10;
    private const int Rounds = 25;

    /// <param name="ranges">Rule ids or id ranges (<c>934100</c>, <c>930000-930999</c>).</param>
    public static void Run(IReadOnlyList<string> ranges)
    {
        var bench = new WafBenchmarks();
        bench.Setup();
        var rules = bench.CrsRules;
        List<RuleIdRange> candidates = ranges.Count > 0
            ? [.. ranges.Select(RuleIdRange.Parse)]
            : [.. rules.Phases[1].Concat(rules.Phases[2]).Where(r => r.Operator is not null && r.Id > 0).Select(r => new RuleIdRange(r.Id, r.Id)).Distinct()];

        // Past the tiered JIT's promotions: the first seconds of a process are slower.
        var warm = Stopwatch.GetTimestamp() + (3 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < warm)
        {
            bench.PostDistinct(null);
        }

        var results = new List<(RuleIdRange Range, double Saved, double Base)>();
        foreach (var range in candidates)
        {
            var with = new List<double>();
            var without = new List<double>();
            for (var round = 0; round < Rounds; round++)
            {
                with.Add(Time(() => bench.PostDistinct(null)));
                without.Add(Time(() => bench.PostDistinct(range)));
            }

            var baseline = Median(with);
            results.Add((range, baseline - Median(without), baseline));
        }

        Console.WriteLine("rules  saved µs  (request µs with them)");
        foreach (var (range, saved, baseline) in results.OrderByDescending(r => r.Saved))
        {
            Console.WriteLine($"{(range.From == range.To ? range.From.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{range.From}-{range.To}")}  {saved,7:F1}  ({baseline:F1})");
        }

    }

    private static double Time(Action run)
    {
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < Batch; i++)
        {
            run();
        }

        return Stopwatch.GetElapsedTime(started).TotalMicroseconds / Batch;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}

using System.Net;
using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.ExtProc.Waf.Rules;

namespace EnvoyGovern.Tests.Waf;

/// <summary>The CRS's @rx operators with their rule ids, and the payloads of each rule's regression tests.</summary>
internal static class CrsRulePayloads
{
    /// <summary>Every @rx operator of the ruleset (chained links included) with the id of its rule.</summary>
    public static IEnumerable<(int Id, RxOperator Rx)> RxOperators(RuleSet rules) =>
        Operators(rules).Where(o => o.Op is RxOperator).Select(o => (o.Id, (RxOperator)o.Op));

    /// <summary>Every operator of the ruleset (chained links included) with the id of its rule.</summary>
    public static IEnumerable<(int Id, WafOperator Op)> Operators(RuleSet rules)
    {
        foreach (var phase in rules.Phases)
        {
            foreach (var rule in phase)
            {
                for (var link = rule; link is not null; link = link.Chained)
                {
                    if (link.Operator is { } op)
                    {
                        yield return (rule.Id, op);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Every line of the rule's regression YAML, as written, URL-decoded (twice) and lower-cased: the
    /// attacks the rule exists for, in roughly the forms its transformations produce.
    /// </summary>
    public static HashSet<string> Payloads(string tests, int id)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(tests, $"{id}.yaml", SearchOption.AllDirectories))
        {
            foreach (var line in File.ReadLines(file))
            {
                var once = WebUtility.UrlDecode(line);
                foreach (var value in new[] { line, once, WebUtility.UrlDecode(once) })
                {
                    values.Add(value);
                    values.Add(value.ToLowerInvariant());
                }
            }
        }

        return values;
    }
}

using EnvoyGovern.ExtProc.Waf.Engine;

namespace EnvoyGovern.ExtProc.Waf.Rules;

/// <summary>Numbers the distinct target lists of a ruleset whose values a phase may collect once for all rules.</summary>
internal static class TargetSets
{
    /// <summary>Sets <see cref="Rule.TargetSet"/> on every rule and chain link; returns how many sets there are.</summary>
    public static int Assign(Rule[][] phases)
    {
        var sets = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var phase in phases)
        {
            foreach (var rule in phase)
            {
                for (var link = rule; link is not null; link = link.Chained)
                {
                    link.TargetSet = link.Operator is not null && IsStable(link) ? Number(sets, link) : -1;
                    link.ReadVariables = link.Targets.Aggregate(UInt128.Zero, (bits, t) => bits | (UInt128.One << (int)t.Variable));
                    link.SingleKey = link.Operator is not null && link.Targets is [{ Variable: Variable.Tx, Key: not null, KeyRegex: null } target]
                        && link.Exclusions.Count == 0 && link.Transforms.Steps.Length == 0 && !link.MultiMatch ? target : null;
                }
            }
        }

        return sets.Count;
    }

    private static int Number(Dictionary<string, int> sets, Rule rule)
    {
        var signature = string.Join('|', rule.Targets) + "||" + string.Join('|', rule.Exclusions);
        if (!sets.TryGetValue(signature, out var number))
        {
            sets[signature] = number = sets.Count;
        }

        return number;
    }

    // Request and response data is fixed while a phase runs; what rules themselves change (TX, persistent
    // collections, matched variables, severity, ctl-set body processor) or the clock is not.
    private static bool IsStable(Rule rule) => rule.Targets.All(t => IsStable(t.Variable));

    private static bool IsStable(Variable variable) => variable switch
    {
        Variable.Tx or Variable.Env or Variable.Ip or Variable.Global or Variable.Session or Variable.User or Variable.Resource
            or Variable.MatchedVar or Variable.MatchedVarName or Variable.MatchedVars or Variable.MatchedVarsNames
            or Variable.HighestSeverity or Variable.Rule or Variable.Flags or Variable.Duration or Variable.Time or Variable.TimeEpoch
            or Variable.ReqbodyProcessor or Variable.ReqbodyError or Variable.ReqbodyErrorMsg
            or Variable.UrlencodedError or Variable.InboundDataError or Variable.OutboundDataError => false,
        _ => true,
    };
}

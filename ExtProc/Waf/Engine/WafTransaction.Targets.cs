using System.Globalization;
using EnvoyGovern.ExtProc.Waf.Rules;

namespace EnvoyGovern.ExtProc.Waf.Engine;

internal sealed partial class WafTransaction
{
    // Points _values at the rule's targets, in order, minus its exclusions (static and ctl-made): collected
    // once per phase for rules that share a target set (see Rule.TargetSet), unless a ctl in this
    // transaction removed one of this rule's targets.
    private void CollectValues(Rule rule)
    {
        if (rule.TargetSet >= 0 && !TargetsRemovedFor(rule))
        {
            if (_scratch.Filled(rule.TargetSet) is { } filled)
            {
                _values = filled;
                return;
            }

            _values = _scratch.Fill(rule.TargetSet);
        }
        else
        {
            _values = _ownValues;
            _values.Clear();
        }

        foreach (var target in rule.Targets)
        {
            if (target.Count)
            {
                var count = CountOf(target);
                _values.Add(new TargetValue(target.Variable, target.Key ?? string.Empty, count.ToString(CultureInfo.InvariantCulture)));
                continue;
            }

            switch (target.Variable)
            {
                case Variable.MatchedVar:
                    _values.Add(new TargetValue(Variable.MatchedVar, string.Empty, MatchedVar));
                    continue;
                case Variable.MatchedVarName:
                    _values.Add(new TargetValue(Variable.MatchedVarName, string.Empty, MatchedVarName));
                    continue;
                case Variable.Xml:
                    AddXml(target);
                    continue;
            }

            var list = _collections[(int)target.Variable];
            if (target.KeyRegex is null && target.Key is not null && (target.Variable == Variable.Tx || target.Variable == Variable.Flags))
            {
                var single = list.Get(target.Key);
                if (single is not null && !Excluded(rule, target.Variable, target.Key))
                {
                    _values.Add(new TargetValue(target.Variable, target.Key, single));
                }

                continue;
            }

            var entries = list.AsSpan();
            for (var i = 0; i < entries.Length; i++)
            {
                var entry = entries[i];
                if ((target.Key is null && target.KeyRegex is null) || target.Selects(entry.Key))
                {
                    if (!Excluded(rule, target.Variable, entry.Key))
                    {
                        _values.Add(new TargetValue(target.Variable, entry.Key, entry.Value));
                    }
                }
            }
        }
    }

    private int CountOf(RuleTarget target)
    {
        if (target.Variable == Variable.Xml)
        {
            return XmlValues(target.Key).Count;
        }

        var list = _collections[(int)target.Variable];
        if (target.Key is null && target.KeyRegex is null)
        {
            return list.Count;
        }

        if (target.KeyRegex is null)
        {
            return list.CountKey(target.Key!);
        }

        var n = 0;
        foreach (var entry in list.AsSpan())
        {
            if (target.Selects(entry.Key))
            {
                n++;
            }
        }

        return n;
    }

    private bool TargetsRemovedFor(Rule rule)
    {
        if (_removedTargets is null)
        {
            return false;
        }

        var owner = rule.Parent ?? rule;
        foreach (var (range, tag, target) in _removedTargets)
        {
            // The cheap variable comparison first: the tag comparison is what costs here.
            if (ReadsVariable(rule, target.Variable) && (range is { } r ? r.Contains(owner.Id) : owner.HasTag(tag!)))
            {
                return true;
            }
        }

        return false;
    }

    // A loop, not a predicate: this runs for every rule of every request once a ctl fired.
    private static bool ReadsVariable(Rule rule, Variable variable)
    {
        foreach (var own in rule.Targets)
        {
            if (own.Variable == variable)
            {
                return true;
            }
        }

        return false;
    }

    private bool Excluded(Rule rule, Variable variable, string key)
    {
        foreach (var exclusion in rule.Exclusions)
        {
            if (exclusion.Variable == variable && exclusion.Selects(key))
            {
                return true;
            }
        }

        if (_removedTargets is not null)
        {
            var owner = rule.Parent ?? rule;
            foreach (var (range, tag, target) in _removedTargets)
            {
                if (target.Variable == variable && target.Selects(key) && (range is { } r ? r.Contains(owner.Id) : owner.HasTag(tag!)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private void AddXml(RuleTarget target)
    {
        var values = XmlValues(target.Key);
        foreach (var value in values)
        {
            _values.Add(new TargetValue(Variable.Xml, target.Key ?? "/*", value));
        }
    }
}

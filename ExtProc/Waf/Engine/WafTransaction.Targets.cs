using System.Globalization;
using EnvoyGovern.ExtProc.Waf.Rules;

namespace EnvoyGovern.ExtProc.Waf.Engine;

internal sealed partial class WafTransaction
{
    // Points _values at the rule's targets, in order, minus its exclusions (static and ctl-made): collected
    // once per phase for rules that share a target set (see Rule.TargetSet) and the same ctl target removals
    // (941010 removes REQUEST_FILENAME from the rules of one tag on every ordinary request: they share too).
    private void CollectValues(Rule rule)
    {
        var removed = RemovedTargetsFor(rule, out var known);
        var shared = rule.TargetSet >= 0 && known;
        if (shared)
        {
            (_valuesSet, _valuesRemoved) = (rule.TargetSet, removed);
            if (_scratch.Filled(rule.TargetSet, removed) is { } filled)
            {
                _values = filled;
                return;
            }

            _values = _scratch.Fill(rule.TargetSet, removed);
        }
        else
        {
            _valuesSet = -1;
            _values = _scratch.OwnValues();
        }

        foreach (var target in rule.Targets)
        {
            if (target.Count)
            {
                var count = CountOf(target);
                Add(target.Variable, target.Key ?? string.Empty, count.ToString(CultureInfo.InvariantCulture));
                continue;
            }

            switch (target.Variable)
            {
                case Variable.MatchedVar:
                    Add(Variable.MatchedVar, string.Empty, MatchedVar);
                    continue;
                case Variable.MatchedVarName:
                    Add(Variable.MatchedVarName, string.Empty, MatchedVarName);
                    continue;
                case Variable.Xml:
                    AddXml(target);
                    continue;
            }

            var list = Read(target.Variable);
            if (shared && target.Key is null && target.KeyRegex is null && !ExcludesAny(rule, removed, target.Variable))
            {
                _values.AddWhole(target.Variable, _scratch.AllValues(target.Variable, list));
                continue;
            }

            if (target.KeyRegex is null && target.Key is not null && (target.Variable == Variable.Tx || target.Variable == Variable.Flags))
            {
                var single = list.Get(target.Key);
                if (single is not null && !Excluded(rule, removed, target.Variable, target.Key))
                {
                    Add(target.Variable, target.Key, single);
                }

                continue;
            }

            var entries = list.AsSpan();
            for (var i = 0; i < entries.Length; i++)
            {
                var entry = entries[i];
                if ((target.Key is null && target.KeyRegex is null) || target.Selects(entry.Key))
                {
                    if (!Excluded(rule, removed, target.Variable, entry.Key))
                    {
                        Add(target.Variable, entry.Key, entry.Value);
                    }
                }
            }
        }
    }

    private void Add(Variable variable, string key, string value) => _values.Add(new TargetValue(variable, key, value, _scratch.Slot(value)));

    private int CountOf(RuleTarget target)
    {
        if (target.Variable == Variable.Xml)
        {
            return XmlValues(target.Key).Count;
        }

        var list = Read(target.Variable);
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

    // Which of the ctl-removed targets apply to the rule, as bits of _removedTargets; known is false when
    // there are more removals than bits (the rule then collects its own values and checks them all).
    private ulong RemovedTargetsFor(Rule rule, out bool known)
    {
        known = true;
        if (_removedTargets is null)
        {
            return 0;
        }

        known = _removedTargets.Count <= 64;
        var mask = 0UL;
        for (var i = 0; i < Math.Min(64, _removedTargets.Count); i++)
        {
            // The cheap variable comparison first: the tag comparison is what costs here.
            if (rule.Reads(_removedTargets[i].Target.Variable) && RemovalAppliesTo(rule, i))
            {
                mask |= 1UL << i;
            }
        }

        return mask;
    }

    private bool RemovalAppliesTo(Rule rule, int removal)
    {
        var (range, tag, _) = _removedTargets![removal];
        var owner = rule.Parent ?? rule;
        return range is { } r ? r.Contains(owner.Id) : owner.HasTag(tag!);
    }

    private bool Excluded(Rule rule, ulong removed, Variable variable, string key)
    {
        foreach (var exclusion in rule.Exclusions)
        {
            if (exclusion.Variable == variable && exclusion.Selects(key))
            {
                return true;
            }
        }

        if (_removedTargets is not null && (removed != 0 || _removedTargets.Count > 64))
        {
            for (var i = 0; i < _removedTargets.Count; i++)
            {
                var target = _removedTargets[i].Target;
                if (target.Variable == variable && (i < 64 ? (removed & (1UL << i)) != 0 : RemovalAppliesTo(rule, i)) && target.Selects(key))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // Whether an exclusion of the rule or a ctl removal in removed may take entries of variable out (so the entries
    // must be checked one by one).
    private bool ExcludesAny(Rule rule, ulong removed, Variable variable)
    {
        foreach (var exclusion in rule.Exclusions)
        {
            if (exclusion.Variable == variable)
            {
                return true;
            }
        }

        for (var i = 0; removed != 0 && i < 64; i++, removed >>= 1)
        {
            if ((removed & 1) != 0 && _removedTargets![i].Target.Variable == variable)
            {
                return true;
            }
        }

        return false;
    }

    private void AddXml(RuleTarget target)
    {
        var values = XmlValues(target.Key);
        foreach (var value in values)
        {
            Add(Variable.Xml, target.Key ?? "/*", value);
        }
    }
}

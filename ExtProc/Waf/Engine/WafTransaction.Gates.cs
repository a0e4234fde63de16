using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.ExtProc.Waf.Rules;
using EnvoyGovern.ExtProc.Waf.Transformations;

namespace EnvoyGovern.ExtProc.Waf.Engine;

// The gates before the operator, on bounds: of a whole value list's chars (a rule that cannot match any value is
// skipped), and of a value's pipeline result before the pipeline runs.
internal sealed partial class WafTransaction
{
    // False when the rule's gate (or its conditional prefilter's chars) rejects the bound of its pipeline (of each stage,
    // for multiMatch) on the union of the untransformed values' masks, and so (the bound of a value's chars is within
    // the bound of the union; a gate asks for chars: fewer cannot pass where more did not) every single value: the
    // rule cannot match. The union is computed once per phase per shared value list, and many rules share it.
    private bool ListMayMatch(Rule rule, CharGate? gate, ConditionalPrefilter? conditional)
    {
        var union = RawUnion();
        var chain = rule.Transforms;
        if (BoundMayMatch(gate, conditional, chain.Bound(union)) && (rule.MultiMatch || BoundMayMatch(gate, conditional, ResultUnion(chain))))
        {
            return true;
        }

        if (rule.MultiMatch && BoundMayMatch(gate, conditional, union))
        {
            return true;
        }

        foreach (var stage in rule.MultiMatch ? chain.Stages : [])
        {
            if (BoundMayMatch(gate, conditional, stage.Bound(union)))
            {
                return true;
            }
        }

        if (WafOperator.PrefilterAudit is not null)
        {
            // What the rule would have evaluated: the result of its pipeline, or for multiMatch the value and each stage.
            foreach (var value in _values)
            {
                if (!rule.MultiMatch)
                {
                    rule.Operator!.AuditRejected(Transform(value.Slot, value.Value, chain));
                    continue;
                }

                rule.Operator!.AuditRejected(value.Value);
                foreach (var stage in chain.Stages)
                {
                    rule.Operator!.AuditRejected(Transform(value.Slot, value.Value, stage));
                }
            }
        }

        return false;
    }

    // True when the operator cannot match the result of pipeline chain on the value, judged from the bound of the
    // result's chars before the pipeline runs (see MaskBounds). Only where the result is not cached already: its
    // exact mask is tighter and as cheap. Not for a negated rule, whose "no match" is a match that needs the value.
    private bool RuledOutByBound(Rule rule, CharGate? gate, TargetValue value, TransformChain chain)
    {
        var conditional = rule.Operator!.Conditional;
        if (rule.Negated || chain.Steps.Length == 0 || (gate is null && conditional is null) || _scratch.Transformed(value.Slot, chain.Id) is not null
            || BoundMayMatch(gate, conditional, _scratch.Bound(value.Slot, value.Value, chain)))
        {
            return false;
        }

        if (WafOperator.PrefilterAudit is not null)
        {
            rule.Operator.AuditRejected(Transform(value.Slot, value.Value, chain));
        }

        return true;
    }

    // A superset of the union of the current list's values' masks after pipeline chain, tighter than the pipeline's bound
    // of the untransformed union (one value with a % makes that All): per value, the exact mask where its result is
    // cached or its own bound is All (a decoder met its escape char), else that bound. Once per phase for a shared list,
    // and many rules share the list and the pipeline; the part of each variable held whole once per phase for all lists.
    private CharMask ResultUnion(TransformChain chain)
    {
        var shared = _valuesSet >= 0;
        if (shared && _scratch.ListMask(_valuesSet, _valuesRemoved, chain.Id, out var known))
        {
            return known;
        }

        var union = default(CharMask);
        for (var whole = _values.Whole; whole != UInt128.Zero; whole &= whole - UInt128.One)
        {
            var variable = (Variable)(int)UInt128.TrailingZeroCount(whole);
            if (!_scratch.WholeMask(variable, chain.Id, out var part))
            {
                part = ResultUnion(_scratch.AllValuesGiven(variable), chain);
                _scratch.RememberWholeMask(variable, chain.Id, part);
            }

            union = union.Union(part);
        }

        for (var run = 0; run < _values.SingleRunCount; run++)
        {
            union = union.Union(ResultUnion(_values.SingleRun(run), chain));
        }

        if (shared)
        {
            _scratch.RememberListMask(_valuesSet, _valuesRemoved, chain.Id, union);
        }

        return union;
    }

    private CharMask ResultUnion(ReadOnlySpan<TargetValue> values, TransformChain chain)
    {
        var union = default(CharMask);
        foreach (var value in values)
        {
            var bound = _scratch.Bound(value.Slot, value.Value, chain);
            if (bound == CharMask.All || _scratch.Transformed(value.Slot, chain.Id) is not null)
            {
                var input = value.Value;
                bound = _scratch.Mask(value.Slot, input, chain, Transform(value.Slot, input, chain));
            }

            union = union.Union(bound);
        }

        return union;
    }

    // The union of the untransformed values' masks of the current list: ResultUnion for the empty pipeline, whose
    // bound of a value is its exact mask.
    private CharMask RawUnion() => ResultUnion(TransformChain.None);

    // As MayMatch below on a bound of the value's mask rather than the mask itself, and without the literal search,
    // which needs the value. Both tests pass a larger mask wherever they pass a smaller one.
    private static bool BoundMayMatch(CharGate? gate, ConditionalPrefilter? conditional, CharMask bound) =>
        (gate is null || gate.MayMatch(bound)) && (conditional is null || conditional.MayMatch(bound));
}

using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.ExtProc.Waf.Rules;
using EnvoyGovern.ExtProc.Waf.Transformations;

namespace EnvoyGovern.ExtProc.Waf.Engine;

// The rules whose prefilters the combined literal scan answers (see LiteralIndex): each value is scanned once per
// pipeline for all of them, and a rule tests its bits instead of running its own searches. The cheaper char-mask
// gates still come first: a value they rule out for every rule of its pipeline is never scanned.
internal sealed partial class WafTransaction
{
    // False when no value of the shared list may satisfy the rule's groups: the union of the values' bits lacks one
    // (a value that satisfies both sets both bits in the union). The union is computed once per phase per list and
    // pipeline, and many rules share both; a rule that reads no shared list goes value by value.
    private bool ListMayMatch(Rule rule, ScanEntry scan)
    {
        var chain = rule.Transforms;
        if (_valuesSet < 0 || _literals!.Scans[chain.Id] is not { } literals)
        {
            return true;
        }

        if (!_hits!.TryGetList(_valuesSet, _valuesRemoved, chain.Id, literals.Words, out var union))
        {
            // Every value's bits first: scanning may move the storage a union being filled would point into.
            foreach (var value in _values)
            {
                Hits(literals, value.Slot, value.Value, chain, Transform(value.Slot, value.Value, chain));
            }

            var filling = _hits.NewList(_valuesSet, _valuesRemoved, chain.Id, literals.Words);
            foreach (var value in _values)
            {
                _hits.TryGet(value.Slot, chain.Id, literals.Words, out var bits);
                for (var w = 0; w < filling.Length; w++)
                {
                    filling[w] |= bits[w];
                }
            }

            union = filling;
        }

        if (scan.MayMatch(union))
        {
            return true;
        }

        if (WafOperator.PrefilterAudit is not null)
        {
            foreach (var value in _values)
            {
                rule.Operator!.AuditRejected(Transform(value.Slot, value.Value, chain));
            }
        }

        return false;
    }

    // The operator on one transformed value unless the value's bits rule it out; the operator then skips its own
    // literal search, which the scan has done.
    private bool ScannedMatches(Rule rule, CharGate? gate, ScanEntry scan, int slot, string input, string transformed)
    {
        var op = rule.Operator!;
        var chain = rule.Transforms;
        var mask = _scratch.Mask(slot, input, chain, transformed);
        if ((gate is not null && !gate.MayMatch(mask)) || (op.Conditional is { } conditional && !conditional.MayMatch(mask))
            || (_literals!.Scans[chain.Id] is { } literals && !scan.MayMatch(Hits(literals, slot, input, chain, transformed))))
        {
            if (WafOperator.PrefilterAudit is not null)
            {
                op.AuditRejected(transformed);
            }

            return false;
        }

        return op.EvaluateScanned(this, transformed, rule.Capture);
    }

    // The groups the value in slot (input; transformed by chain) may satisfy: scanned once per phase.
    private ReadOnlySpan<ulong> Hits(LiteralScan literals, int slot, string input, TransformChain chain, string transformed) =>
        _hits!.TryGet(slot, chain.Id, literals.Words, out var bits)
            ? bits
            : _hits.Scan(slot, chain.Id, literals, transformed, _scratch.Mask(slot, input, chain, transformed));
}

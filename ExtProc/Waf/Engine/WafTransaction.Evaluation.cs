using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.ExtProc.Waf.Rules;
using EnvoyGovern.ExtProc.Waf.Transformations;

namespace EnvoyGovern.ExtProc.Waf.Engine;

internal sealed partial class WafTransaction
{
    // Made when a rule first collects values of its own (most share a phase's lists), as the matches when a rule first matches.
    private PhaseScratch _scratch = null!;
    private ValueList _values = null!;

    // Which shared list _values is (target set and ctl removals), for the per-list char masks; set -1 for a rule's own.
    private int _valuesSet = -1;
    private ulong _valuesRemoved;
    private bool _allowRest;
    private int _rulesSinceClock;
    private bool _allowRequest;

    /// <summary>Runs the rules of one phase (1 request headers, 2 request body, 3 response headers, 4 response body, 5 logging).</summary>
    public void RunPhase(int phase)
    {
        // A phase without rules (phase 1 of the built-in rules) needs no scratch: nothing reads it.
        if (Mode == RuleEngineMode.Off || Interruption is not null || LimitExceeded is not null || _allowRest || (_allowRequest && phase <= 2)
            || RuleSet.Phases[phase].Length == 0)
        {
            return;
        }

        _scratch = PhaseScratch.Rent(RuleSet);
        try
        {
            RunRules(phase);
        }
        catch (RegexMatchTimeoutException ex)
        {
            LimitExceeded = $"regex timeout in rule {_currentRule?.Id} after {ex.MatchTimeout.TotalMilliseconds} ms";
        }
        catch (WafLimitExceededException ex)
        {
            LimitExceeded = ex.Message;
        }
        finally
        {
            _scratch.Return();
            _scratch = null!;
        }
    }

    private void RunRules(int phase)
    {
        var rules = RuleSet.Phases[phase];
        var i = 0;
        while (i < rules.Length)
        {
            var rule = rules[i];
            if (rule.Marker is not null || IsRemoved(rule))
            {
                i++;
                continue;
            }

            // The clock every eighth rule: a rule without work costs less than reading it (~15 ns here, ~600 rules a
            // request), and eight rules more past the limit are microseconds against its milliseconds.
            if ((++_rulesSinceClock & 7) == 0 && Stopwatch.GetTimestamp() > _deadline)
            {
                throw new WafLimitExceededException($"time limit reached before rule {rule.Id}");
            }

            _collections[(int)Variable.MatchedVars].Clear();
            if (!EvaluateChain(rule, phase))
            {
                i++;
                continue;
            }

            if (Interruption is not null)
            {
                return;
            }

            if (rule.Disruptive == Disruptive.Allow && Mode == RuleEngineMode.On)
            {
                var scope = rule.AllowScope?.ToLowerInvariant();
                _allowRequest = scope == "request";
                _allowRest = scope is null;
                return;
            }

            if (rule.SkipAfter is not null)
            {
                i = RuleSet.AfterMarker(phase, rule.SkipAfter);
            }
            else if (rule.Skip > 0)
            {
                i = SkipRules(rules, i, rule.Skip);
            }
            else
            {
                i++;
            }
        }
    }

    private static int SkipRules(Rule[] rules, int index, int count)
    {
        var i = index + 1;
        while (i < rules.Length && count > 0)
        {
            if (rules[i].Marker is null)
            {
                count--;
            }

            i++;
        }

        return i;
    }

    // Evaluates a rule and its chain; on a full match logs it and applies the first rule's disruptive action.
    private bool EvaluateChain(Rule starter, int phase)
    {
        for (var link = starter; link is not null; link = link.Chained)
        {
            if (!EvaluateRule(link))
            {
                return false;
            }
        }

        var logged = starter.Log ?? true;
        var disruptive = Disrupts(starter);
        _currentRule = starter;
        var message = logged || disruptive ? starter.Message?.Expand(this) : null;
        var logData = logged ? starter.LogData?.Expand(this) : null;
        (_matches ??= []).Add(new RuleMatch(starter, phase, message, logData, MatchedVarName, MatchedVar, logged, disruptive));
        if (disruptive && Mode == RuleEngineMode.On)
        {
            Interruption = new Interruption(starter.Status > 0 ? starter.Status : 403, starter, $"rule {starter.Id}");
        }

        return true;
    }

    private bool Disrupts(Rule rule) => rule.Disruptive switch
    {
        Disruptive.Deny or Disruptive.Drop or Disruptive.Redirect => true,
        Disruptive.Block => RuleSet.BlockDisrupts(rule.Phase),
        _ => false,
    };

    private bool EvaluateRule(Rule rule)
    {
        _currentRule = rule;
        if (rule.Operator is null)
        {
            RunActions(rule);
            return true;
        }

        if (rule.SingleKey is { } single && rule.Operator.Gate is null && rule.Operator.Conditional is null)
        {
            return EvaluateSingleKey(rule, single);
        }

        CollectValues(rule);
        var matched = false;
        var values = _values;
        var gate = rule.Operator.Gate;
        var conditional = rule.Operator.Conditional;
        if ((gate is not null || conditional is not null) && !rule.Negated && !ListMayMatch(rule, gate, conditional))
        {
            return false;
        }

        // A value equal to one the rule already found no match in (same slot) cannot match either while nothing has
        // matched: operators and transformations are pure, and only a match's actions change the transaction.
        _scratch.BeginRule();
        for (var v = 0; v < values.Count; v++)
        {
            var value = values[v];
            if ((!_scratch.FirstVisit(value.Slot) && !matched) || !IsMatch(rule, gate, value, out var transformed))
            {
                continue;
            }

            matched = true;
            OnMatch(rule, value.Name, transformed);
        }

        return matched;
    }

    // A rule that reads one TX entry (see Rule.SingleKey): most of the CRS rules that read TX (its
    // paranoia-level skips, setup defaults and score checks). As EvaluateRule with one untransformed value, without the
    // value list, slot and gates that a single such value needs none of.
    private bool EvaluateSingleKey(Rule rule, RuleTarget target)
    {
        var key = target.Key!;
        string? value;
        if (target.Count)
        {
            value = Read(target.Variable).CountKey(key).ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            value = Read(target.Variable).Get(key);
            var removed = RemovedTargetsFor(rule, out var known);
            if (value is null || ((removed != 0 || !known) && Excluded(rule, removed, target.Variable, key)))
            {
                return false;
            }
        }

        if (rule.Operator!.Evaluate(this, value, rule.Capture) == rule.Negated)
        {
            return false;
        }

        OnMatch(rule, new TargetValue(target.Variable, key, value, -1).Name, value);
        return true;
    }

    private void OnMatch(Rule rule, string name, string value)
    {
        MatchedVar = value;
        MatchedVarName = name;
        _collections[(int)Variable.MatchedVars].Add(name, value);
        _collections[(int)Variable.MatchedVarsNames].Add(name, name);
        RunActions(rule);
        if (Stopwatch.GetTimestamp() > _deadline)
        {
            throw new WafLimitExceededException($"time limit reached in rule {rule.Id}");
        }
    }

    private bool IsMatch(Rule rule, CharGate? gate, TargetValue value, out string transformed)
    {
        var input = value.Value;
        if (!rule.MultiMatch)
        {
            // Before the pipeline runs for this value: a gate that rejects the bound of its result's chars (from the
            // value's own chars) rejects the result too, so an operator that cannot match is not reached by
            // transforming first. Where the result is cached already, its exact mask is tighter and as cheap.
            var chain = rule.Transforms;
            if (RuledOutByBound(rule, gate, value, chain))
            {
                transformed = input;
                return false;
            }

            transformed = Transform(value.Slot, input, chain);
            return OperatorMatches(rule, gate, value.Slot, input, chain, transformed) != rule.Negated;
        }

        // multiMatch: the operator runs on the value before the transformations and after each one that changed it;
        // each stage is a pipeline of its own (the first one, two ... steps), cached like any rule's result.
        transformed = input;
        if (OperatorMatches(rule, gate, value.Slot, input, TransformChain.None, input) != rule.Negated)
        {
            return true;
        }

        foreach (var stage in rule.Transforms.Stages)
        {
            // As above: a stage whose bound the gate rejects cannot match, and the next stage computes it if it needs it.
            // Skipping it leaves transformed at an earlier stage's value; a later stage equal to that one is skipped
            // below, which is sound too: the operator found no match in that very value.
            if (RuledOutByBound(rule, gate, value, stage))
            {
                continue;
            }

            var next = Transform(value.Slot, input, stage);
            if (ReferenceEquals(next, transformed) || next == transformed)
            {
                continue;
            }

            transformed = next;
            if (OperatorMatches(rule, gate, value.Slot, input, stage, transformed) != rule.Negated)
            {
                return true;
            }
        }

        return false;
    }

    // The operator on one transformed value, unless its gate rules the value out by the chars it holds (a few bit
    // operations on the value's cached char mask instead of a search per rule).
    private bool OperatorMatches(Rule rule, CharGate? gate, int slot, string input, TransformChain chain, string transformed)
    {
        var op = rule.Operator!;
        var conditional = op.Conditional;
        if ((gate is not null || conditional is not null) && !MayMatch(gate, conditional, _scratch.MaskIndex(slot, input, chain, transformed), transformed))
        {
            if (WafOperator.PrefilterAudit is not null)
            {
                op.AuditRejected(transformed);
            }

            return false;
        }

        return op.Evaluate(this, transformed, rule.Capture);
    }

    // As ConditionalPrefilter.MayMatch(mask, value), with the literal search shared by the rules whose conditions
    // have the same literals (the search depends on the value and the literals only).
    private bool MayMatch(CharGate? gate, ConditionalPrefilter? conditional, int maskIndex, string transformed)
    {
        var mask = _scratch.MaskAt(maskIndex);
        if (gate is not null && !gate.MayMatch(mask))
        {
            return false;
        }

        return conditional is null || mask.Overlaps(conditional.Absent) || (conditional.MayMatch(mask) && _scratch.ConditionalFound(maskIndex, conditional, transformed));
    }

    // Cached per value (its slot in this phase) and pipeline; a pipeline's prefix is cached the same way.
    private string Transform(int slot, string input, TransformChain chain)
    {
        if (chain.Steps.Length == 0)
        {
            return input;
        }

        if (_scratch.Transformed(slot, chain.Id) is { } cached)
        {
            return cached;
        }

        var value = chain.Steps[^1](Transform(slot, input, chain.Prefix));
        _scratch.Remember(slot, chain.Id, value);
        return value;
    }

    private void RunActions(Rule rule)
    {
        var actions = rule.Actions;
        for (var i = 0; i < actions.Count; i++)
        {
            actions[i].Execute(this, rule);
        }
    }

    /// <summary>
    /// A value to evaluate, with its name as logs and MATCHED_VAR_NAME show it, and its slot in the phase's
    /// transformation cache (one per distinct string instance).
    /// </summary>
    internal readonly record struct TargetValue(Variable Variable, string Key, string Value, int Slot)
    {
        public string Name => Key.Length == 0 ? Variables.Name(Variable) : string.Concat(Variables.Name(Variable), ":", Key);
    }
}

using System.Globalization;
using EnvoyGovern.ExtProc.Waf.Engine;

namespace EnvoyGovern.ExtProc.Waf.Rules;

/// <summary>A non-disruptive action run when its rule matches (setvar, ctl, setenv ...).</summary>
internal abstract class RuleAction
{
    public abstract void Execute(WafTransaction transaction, Rule rule);
}

/// <summary><c>setvar:tx.name=value</c>, <c>=+n</c>, <c>=-n</c>, <c>!tx.name</c>.</summary>
internal sealed class SetVarAction(Variable collection, Macro name, Macro? value, char operation) : RuleAction
{
    public override void Execute(WafTransaction transaction, Rule rule)
    {
        var list = transaction.Collection(collection);
        var key = name.Expand(transaction);
        if (operation == '!')
        {
            list.Remove(key);
            return;
        }

        var text = value?.Expand(transaction) ?? "1";
        if (operation is '+' or '-')
        {
            var current = Operators.CompareOperator.ToInt(list.Get(key) ?? "0");
            var delta = Operators.CompareOperator.ToInt(text);
            text = (operation == '+' ? current + delta : current - delta).ToString(CultureInfo.InvariantCulture);
        }

        list.Set(key, text);
    }
}

/// <summary><c>ctl:</c>: changes the engine for the rest of this transaction.</summary>
internal sealed class CtlAction(string option, string argument, RuleTarget? target) : RuleAction
{
    public override void Execute(WafTransaction transaction, Rule rule)
    {
        switch (option.ToLowerInvariant())
        {
            case "ruleremovebyid":
                foreach (var range in argument.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    transaction.RemoveRules(RuleIdRange.Parse(range));
                }

                break;
            case "ruleremovebytag":
                transaction.RemoveRulesByTag(argument);
                break;
            case "ruleremovetargetbyid":
                transaction.RemoveTarget(RuleIdRange.Parse(argument), null, target!);
                break;
            case "ruleremovetargetbytag":
                transaction.RemoveTarget(null, argument, target!);
                break;
            case "ruleengine":
                transaction.SetEngine(argument);
                break;
            case "requestbodyprocessor":
                transaction.RequestBodyProcessor = argument.ToUpperInvariant();
                break;
            case "forcerequestbodyvariable":
                transaction.ForceRequestBodyVariable = string.Equals(argument, "on", StringComparison.OrdinalIgnoreCase);
                break;
            case "requestbodyaccess":
                transaction.RequestBodyAccess = string.Equals(argument, "on", StringComparison.OrdinalIgnoreCase);
                break;
            default:
                // auditEngine, auditLogParts, debugLogLevel ...: audit output is ours, not ModSecurity's.
                break;
        }
    }
}

/// <summary>An inclusive rule id range (<c>920100</c> or <c>920100-920199</c>).</summary>
internal readonly record struct RuleIdRange(int From, int To)
{
    public bool Contains(int id) => id >= From && id <= To;

    public static RuleIdRange Parse(string text)
    {
        var dash = text.IndexOf('-', 1);
        var from = int.Parse(dash < 0 ? text : text[..dash], CultureInfo.InvariantCulture);
        var to = dash < 0 ? from : int.Parse(text[(dash + 1)..], CultureInfo.InvariantCulture);
        return new RuleIdRange(from, to);
    }
}

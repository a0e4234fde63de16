using System.Globalization;
using EnvoyGovern.ExtProc.Waf.Engine;
using EnvoyGovern.ExtProc.Waf.Rules;
using EnvoyGovern.ExtProc.Waf.Transformations;

namespace EnvoyGovern.ExtProc.Waf.SecLang;

internal sealed partial class RuleSetBuilder
{
    private static readonly HashSet<string> MetadataOnly = new(StringComparer.OrdinalIgnoreCase)
    {
        "rev", "accuracy", "maturity", "initcol", "expirevar", "setuid", "setsid", "setrsc", "deprecatevar", "sanitiseArg",
        "sanitiseMatched", "sanitiseMatchedBytes", "sanitiseRequestHeader", "sanitiseResponseHeader", "append", "prepend",
        "auditlog", "noauditlog", "sanitizeArg", "sanitizeMatched", "xmlns", "pause",
    };

    private void ApplyActions(Rule rule, IReadOnlyList<KeyValuePair<string, string?>> actions, bool update)
    {
        foreach (var (name, value) in actions)
        {
            switch (name.ToLowerInvariant())
            {
                case "id":
                    rule.Id = int.Parse(Value(name, value), CultureInfo.InvariantCulture);
                    break;
                case "phase":
                    rule.Phase = ParsePhase(value);
                    break;
                case "chain":
                    rule.IsChain = true;
                    break;
                case "t":
                    var transform = Value(name, value);
                    if (string.Equals(transform, "none", StringComparison.OrdinalIgnoreCase))
                    {
                        rule.TransformNames.Clear();
                        rule.HasTransformNone = true;
                    }
                    else if (Transforms.TryGet(transform, out _))
                    {
                        rule.TransformNames.Add(transform);
                    }
                    else
                    {
                        throw new FormatException($"transformation 't:{transform}' is not supported");
                    }

                    if (update)
                    {
                        rule.Transforms = Intern(rule.TransformNames);
                    }

                    break;
                case "msg":
                    rule.Message = Macro.Parse(Value(name, value));
                    break;
                case "logdata":
                    rule.LogData = Macro.Parse(Value(name, value));
                    break;
                case "tag":
                    rule.Tags.Add(Value(name, value));
                    break;
                case "severity":
                    rule.Severity = Severity(Value(name, value));
                    break;
                case "ver":
                    rule.Version = value;
                    break;
                case "capture":
                    rule.Capture = true;
                    break;
                case "multimatch":
                    rule.MultiMatch = true;
                    break;
                case "log":
                    rule.Log = true;
                    break;
                case "nolog":
                    rule.Log = false;
                    break;
                case "pass":
                    rule.Disruptive = Disruptive.Pass;
                    break;
                case "block":
                    rule.Disruptive = Disruptive.Block;
                    break;
                case "deny":
                    rule.Disruptive = Disruptive.Deny;
                    break;
                case "drop":
                    rule.Disruptive = Disruptive.Drop;
                    break;
                case "redirect" or "proxy":
                    rule.Disruptive = Disruptive.Redirect;
                    break;
                case "allow":
                    rule.Disruptive = Disruptive.Allow;
                    rule.AllowScope = value;
                    break;
                case "status":
                    rule.Status = int.Parse(Value(name, value), CultureInfo.InvariantCulture);
                    break;
                case "skipafter":
                    rule.SkipAfter = Value(name, value);
                    break;
                case "skip":
                    rule.Skip = int.Parse(Value(name, value), CultureInfo.InvariantCulture);
                    break;
                case "setvar":
                    rule.Actions.Add(SetVar(Value(name, value)));
                    break;
                case "ctl":
                    rule.Actions.Add(Ctl(Value(name, value)));
                    break;
                case "setenv":
                    rule.Actions.Add(SetVar("env." + Value(name, value)));
                    break;
                case "exec":
                    throw new FormatException("action 'exec' is not supported");
                default:
                    if (!MetadataOnly.Contains(name))
                    {
                        throw new FormatException($"action '{name}' is not supported");
                    }

                    break;
            }
        }
    }

    private static string Value(string name, string? value) => value ?? throw new FormatException($"action '{name}' needs a value");

    private static string Severity(string value) => value.ToUpperInvariant() switch
    {
        "0" => "EMERGENCY",
        "1" => "ALERT",
        "2" => "CRITICAL",
        "3" => "ERROR",
        "4" => "WARNING",
        "5" => "NOTICE",
        "6" => "INFO",
        "7" => "DEBUG",
        var text => text,
    };

    // tx.name=value | tx.name=+5 | tx.name=-5 | !tx.name | tx.name
    private static SetVarAction SetVar(string text)
    {
        var remove = text.StartsWith('!');
        if (remove)
        {
            text = text[1..];
        }

        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var target = equals < 0 ? text : text[..equals];
        var dot = target.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0 || !Variables.TryParse(target[..dot], out var collection, out _) || !Variables.IsCollection(collection))
        {
            throw new FormatException($"setvar target '{target}' is not collection.name");
        }

        var name = Macro.Parse(target[(dot + 1)..]);
        if (remove)
        {
            return new SetVarAction(collection, name, null, '!');
        }

        if (equals < 0)
        {
            return new SetVarAction(collection, name, null, '=');
        }

        var value = text[(equals + 1)..];
        var operation = value.Length > 0 && value[0] is '+' or '-' ? value[0] : '=';
        return new SetVarAction(collection, name, Macro.Parse(operation == '=' ? value : value[1..]), operation);
    }

    private CtlAction Ctl(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            throw new FormatException($"ctl '{text}' needs option=value");
        }

        var option = text[..equals];
        var argument = text[(equals + 1)..];
        RuleTarget? target = null;
        if (option.StartsWith("ruleRemoveTarget", StringComparison.OrdinalIgnoreCase))
        {
            var semicolon = argument.IndexOf(';', StringComparison.Ordinal);
            if (semicolon < 0)
            {
                throw new FormatException($"ctl:{option} needs id-or-tag;TARGET");
            }

            target = SecLangSyntax.Targets(argument[(semicolon + 1)..], regexTimeout)[0] with { Exclusion = true };
            argument = argument[..semicolon];
        }

        return new CtlAction(option, argument, target);
    }
}

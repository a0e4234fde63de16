using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.ExtProc.Waf.Rules;

namespace EnvoyGovern.ExtProc.Waf.SecLang;

/// <summary>Builds the operator of a SecRule from its text (<c>@name parameter</c>, or a bare regex).</summary>
internal static class OperatorFactory
{
    public static WafOperator Create(string text, string baseDirectory, TimeSpan regexTimeout, out bool negated)
    {
        var trimmed = text.TrimStart();
        negated = trimmed.StartsWith('!');
        if (negated)
        {
            trimmed = trimmed[1..].TrimStart();
        }

        if (!trimmed.StartsWith('@'))
        {
            return new RxOperator(trimmed, regexTimeout);
        }

        var space = trimmed.IndexOfAny([' ', '\t']);
        var name = space < 0 ? trimmed[1..] : trimmed[1..space];
        var parameter = space < 0 ? string.Empty : trimmed[(space + 1)..].TrimStart();
        switch (name.ToLowerInvariant())
        {
            case "rx":
                return new RxOperator(parameter, regexTimeout);
            case "pm":
                return new PmOperator("pm", parameter.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            case "pmfromfile" or "pmf":
                var phrases = new List<string>();
                foreach (var file in parameter.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var path = Path.IsPathRooted(file) ? file : Path.Combine(baseDirectory, file);
                    foreach (var line in File.ReadLines(path, System.Text.Encoding.Latin1))
                    {
                        var phrase = line.Trim();
                        if (phrase.Length > 0 && phrase[0] != '#')
                        {
                            phrases.Add(phrase);
                        }
                    }
                }

                return new PmOperator("pmFromFile", phrases);
            case "streq" or "beginswith" or "endswith" or "contains" or "within" or "containsword" or "strmatch"
                or "eq" or "ge" or "gt" or "lt" or "le":
                return new CompareOperator(Canonical(name), Macro.Parse(parameter));
            case "unconditionalmatch":
                return new ConstantOperator("unconditionalMatch", true);
            case "nomatch":
                return new ConstantOperator("noMatch", false);
            case "validatebyterange":
                return new ValidateByteRangeOperator(parameter);
            case "validateurlencoding":
                return new ValidateUrlEncodingOperator();
            case "validateutf8encoding":
                return new ValidateUtf8Operator();
            case "ipmatch":
                return new IpMatchOperator(parameter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            case "ipmatchfromfile" or "ipmatchf":
                var ipPath = Path.IsPathRooted(parameter) ? parameter : Path.Combine(baseDirectory, parameter);
                return new IpMatchOperator(File.ReadLines(ipPath).Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#'));
            case "detectsqli":
                return new DetectSqliOperator();
            case "detectxss":
                return new DetectXssOperator();
            default:
                throw new FormatException($"operator '@{name}' is not supported");
        }
    }

    private static string Canonical(string name) => name.ToLowerInvariant() switch
    {
        "beginswith" => "beginsWith",
        "endswith" => "endsWith",
        "containsword" => "containsWord",
        var other => other,
    };
}

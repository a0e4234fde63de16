using System.Text;
using System.Text.RegularExpressions;
using EnvoyGovern.ExtProc.Waf.Engine;
using EnvoyGovern.ExtProc.Waf.Rules;

namespace EnvoyGovern.ExtProc.Waf.SecLang;

/// <summary>Parses the parts of a rule: the action list and the variable list.</summary>
internal static class SecLangSyntax
{
    /// <summary>Splits <c>id:1,msg:'a, b',t:none</c> into name/value pairs; a quoted value may hold commas.</summary>
    public static List<KeyValuePair<string, string?>> Actions(string text)
    {
        var result = new List<KeyValuePair<string, string?>>();
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] == ','))
            {
                i++;
            }

            if (i >= text.Length)
            {
                break;
            }

            var nameStart = i;
            while (i < text.Length && text[i] != ':' && text[i] != ',')
            {
                i++;
            }

            var name = text[nameStart..i].Trim();
            string? value = null;
            if (i < text.Length && text[i] == ':')
            {
                i++;
                while (i < text.Length && text[i] == ' ')
                {
                    i++;
                }

                var builder = new StringBuilder();
                if (i < text.Length && text[i] == '\'')
                {
                    i++;
                    while (i < text.Length && text[i] != '\'')
                    {
                        if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] == '\'')
                        {
                            i++;
                        }

                        builder.Append(text[i++]);
                    }

                    i++;
                }
                else
                {
                    while (i < text.Length && text[i] != ',')
                    {
                        builder.Append(text[i++]);
                    }

                    value = builder.ToString().Trim();
                    builder.Clear().Append(value);
                }

                value = builder.ToString();
            }

            result.Add(new(name, value));
        }

        return result;
    }

    /// <summary>Parses <c>ARGS|!ARGS:id|&amp;TX:x|REQUEST_HEADERS:/^x-/|XML:/*</c>.</summary>
    public static List<RuleTarget> Targets(string text, TimeSpan regexTimeout)
    {
        var result = new List<RuleTarget>();
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == '|' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }

            if (i >= text.Length)
            {
                break;
            }

            var exclusion = false;
            var count = false;
            if (text[i] == '!')
            {
                exclusion = true;
                i++;
            }
            else if (text[i] == '&')
            {
                count = true;
                i++;
            }

            var nameStart = i;
            while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
            {
                i++;
            }

            var name = text[nameStart..i];
            if (!Variables.TryParse(name, out var variable, out var flag))
            {
                throw new FormatException($"unknown variable '{name}'");
            }

            string? key = flag;
            Regex? keyRegex = null;
            if (i < text.Length && text[i] == ':')
            {
                i++;
                if (variable == Variable.Xml)
                {
                    var end = text.IndexOf('|', i);
                    end = end < 0 ? text.Length : end;
                    key = text[i..end];
                    i = end;
                }
                else
                {
                    var quoted = i < text.Length && text[i] == '\'';
                    if (quoted)
                    {
                        i++;
                    }

                    if (i < text.Length && text[i] == '/')
                    {
                        var builder = new StringBuilder();
                        i++;
                        while (i < text.Length && text[i] != '/')
                        {
                            if (text[i] == '\\' && i + 1 < text.Length)
                            {
                                if (text[i + 1] != '/')
                                {
                                    builder.Append('\\');
                                }

                                i++;
                            }

                            builder.Append(text[i++]);
                        }

                        i++;
                        keyRegex = new Regex(Operators.PcreTranslator.Translate(builder.ToString()), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, regexTimeout);
                    }
                    else
                    {
                        var start = i;
                        while (i < text.Length && text[i] != '|' && !(quoted && text[i] == '\''))
                        {
                            i++;
                        }

                        key = text[start..i];
                    }

                    if (quoted && i < text.Length && text[i] == '\'')
                    {
                        i++;
                    }
                }
            }

            result.Add(new RuleTarget(variable, key, keyRegex, count, exclusion));
        }

        return result;
    }
}

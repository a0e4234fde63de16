using System.Text;

namespace EnvoyGovern.ExtProc.Waf.SecLang;

/// <summary>One configuration directive with its arguments and where it was written.</summary>
internal sealed record Directive(string Name, IReadOnlyList<string> Arguments, string File, int Line);

/// <summary>A rules file that cannot be loaded; the message names the file, line and rule.</summary>
public sealed class WafRuleException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Splits SecLang text into directives the way Apache reads a configuration file: <c>\</c> at the end of
/// a line continues it, <c>#</c> starts a comment line, arguments are words or double-quoted strings in
/// which only <c>\"</c> is an escape (every other backslash stays for the regex).
/// </summary>
internal static class SecLangTokenizer
{
    public static IEnumerable<Directive> Tokenize(string text, string file)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var logical = new StringBuilder();
        var startLine = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (logical.Length == 0)
            {
                var trimmed = line.TrimStart();
                if (trimmed.Length == 0 || trimmed[0] == '#')
                {
                    continue;
                }

                startLine = i + 1;
            }

            var content = line.TrimEnd();
            if (content.EndsWith('\\'))
            {
                logical.Append(content, 0, content.Length - 1);
                continue;
            }

            logical.Append(content);
            var directive = Split(logical.ToString(), file, startLine);
            logical.Clear();
            if (directive is not null)
            {
                yield return directive;
            }
        }

        if (logical.Length > 0 && Split(logical.ToString(), file, startLine) is { } last)
        {
            yield return last;
        }
    }

    private static Directive? Split(string line, string file, int lineNumber)
    {
        var words = new List<string>();
        var i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i]))
            {
                i++;
            }

            if (i >= line.Length)
            {
                break;
            }

            var builder = new StringBuilder();
            if (line[i] is '"' or '\'')
            {
                var quote = line[i++];
                var closed = false;
                while (i < line.Length)
                {
                    if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] == quote)
                    {
                        builder.Append(quote);
                        i += 2;
                    }
                    else if (line[i] == quote)
                    {
                        i++;
                        closed = true;
                        break;
                    }
                    else
                    {
                        builder.Append(line[i++]);
                    }
                }

                if (!closed)
                {
                    throw new WafRuleException($"{file}:{lineNumber}: unterminated quoted argument");
                }
            }
            else
            {
                while (i < line.Length && !char.IsWhiteSpace(line[i]))
                {
                    builder.Append(line[i++]);
                }
            }

            words.Add(builder.ToString());
        }

        return words.Count == 0 ? null : new Directive(words[0], words.GetRange(1, words.Count - 1), file, lineNumber);
    }
}

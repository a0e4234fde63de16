using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EnvoyGovern.ExtProc.Waf.Transformations;

/// <summary>The non-decoding transformations, with ModSecurity v2's byte semantics (ASCII case only).</summary>
internal static class TextTransforms
{
    public static string Lowercase(string input)
    {
        var i = 0;
        while (i < input.Length && !char.IsAsciiLetterUpper(input[i]))
        {
            i++;
        }

        if (i == input.Length)
        {
            return input;
        }

        return string.Create(input.Length, input, static (span, source) =>
        {
            for (var k = 0; k < source.Length; k++)
            {
                var c = source[k];
                span[k] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
            }
        });
    }

    public static string Uppercase(string input) => string.Create(input.Length, input, static (span, source) =>
    {
        for (var k = 0; k < source.Length; k++)
        {
            var c = source[k];
            span[k] = char.IsAsciiLetterLower(c) ? (char)(c & ~0x20) : c;
        }
    });

    public static string CmdLine(string input)
    {
        if (CmdLineKeeps(input))
        {
            return input;
        }

        var output = new StringBuilder(input.Length);
        var space = false;
        foreach (var c in input)
        {
            switch (c)
            {
                case '"' or '\'' or '\\' or '^':
                    continue;
                case ' ' or ',' or ';' or '\t' or '\r' or '\n':
                    if (!space)
                    {
                        output.Append(' ');
                        space = true;
                    }

                    break;
                case '/' or '(':
                    if (space)
                    {
                        output.Length--;
                    }

                    space = false;
                    output.Append(c);
                    break;
                default:
                    output.Append(char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c);
                    space = false;
                    break;
            }
        }

        return output.ToString();
    }

    // True when cmdLine would return the value as it is: nothing to delete, replace or lower-case, and no space
    // that would be merged with the next char. Most benign values of the CRS's command rules are like this.
    private static bool CmdLineKeeps(string input)
    {
        for (var i = 0; i < input.Length; i++)
        {
            var c = input[i];
            if (c is '"' or '\'' or '\\' or '^' or ',' or ';' or '\t' or '\r' or '\n' || char.IsAsciiLetterUpper(c))
            {
                return false;
            }

            if (c == ' ' && i + 1 < input.Length && input[i + 1] is ' ' or '/' or '(')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsWhite(char c) => Decoders.IsCSpace(c) || c == '\u00a0';

    public static string CompressWhitespace(string input)
    {
        if (CompressKeeps(input))
        {
            return input;
        }

        var output = new StringBuilder(input.Length);
        var inSpace = false;
        foreach (var c in input)
        {
            if (IsWhite(c))
            {
                if (!inSpace)
                {
                    output.Append(' ');
                    inSpace = true;
                }
            }
            else
            {
                output.Append(c);
                inSpace = false;
            }
        }

        // Same length is still a change when a lone tab or newline became a space.
        return output.ToString();
    }

    // Unchanged when every whitespace run is one plain space.
    private static bool CompressKeeps(string input)
    {
        for (var i = 0; i < input.Length; i++)
        {
            if (IsWhite(input[i]) && (input[i] != ' ' || (i + 1 < input.Length && IsWhite(input[i + 1]))))
            {
                return false;
            }
        }

        return true;
    }

    public static string RemoveWhitespace(string input)
    {
        var first = 0;
        while (first < input.Length && !IsWhite(input[first]))
        {
            first++;
        }

        return first == input.Length ? input : Remove(input, IsWhite);
    }

    public static string RemoveNulls(string input) => input.Contains('\0', StringComparison.Ordinal) ? Remove(input, static c => c == '\0') : input;

    public static string ReplaceNulls(string input) => input.Replace('\0', ' ');

    private static string Remove(string input, Func<char, bool> drop)
    {
        var output = new StringBuilder(input.Length);
        foreach (var c in input)
        {
            if (!drop(c))
            {
                output.Append(c);
            }
        }

        return output.Length == input.Length ? input : output.ToString();
    }

    public static string ReplaceComments(string input)
    {
        if (!input.Contains("/*", StringComparison.Ordinal))
        {
            return input;
        }

        var output = new StringBuilder(input.Length);
        var inComment = false;
        var i = 0;
        while (i < input.Length)
        {
            if (!inComment)
            {
                if (input[i] == '/' && i + 1 < input.Length && input[i + 1] == '*')
                {
                    inComment = true;
                    i += 2;
                }
                else
                {
                    output.Append(input[i++]);
                }
            }
            else if (input[i] == '*' && i + 1 < input.Length && input[i + 1] == '/')
            {
                inComment = false;
                i += 2;
                output.Append(' ');
            }
            else
            {
                i++;
            }
        }

        if (inComment)
        {
            output.Append(' ');
        }

        return output.ToString();
    }

    public static string RemoveCommentsChar(string input)
    {
        // Every sequence it removes contains one of these.
        if (input.AsSpan().IndexOfAny('#', '*', '-') < 0)
        {
            return input;
        }

        var output = new StringBuilder(input.Length);
        var i = 0;
        while (i < input.Length)
        {
            var c = input[i];
            var next = i + 1 < input.Length ? input[i + 1] : '\0';
            if ((c == '/' && next == '*') || (c == '*' && next == '/') || (c == '-' && next == '-' && !(i + 2 < input.Length && input[i + 2] == '>')))
            {
                i += 2;
            }
            else if (c == '<' && next == '!' && i + 3 < input.Length && input[i + 2] == '-' && input[i + 3] == '-')
            {
                i += 4;
            }
            else if (c == '-' && next == '-' && i + 2 < input.Length && input[i + 2] == '>')
            {
                i += 3;
            }
            else if (c == '#')
            {
                i++;
            }
            else
            {
                output.Append(c);
                i++;
            }
        }

        return output.Length == input.Length ? input : output.ToString();
    }

    public static string RemoveComments(string input)
    {
        var output = new StringBuilder(input.Length);
        var i = 0;
        while (i < input.Length)
        {
            if (input[i] == '/' && i + 1 < input.Length && input[i + 1] == '*')
            {
                var end = input.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? input.Length : end + 2;
            }
            else if (input[i] == '<' && string.CompareOrdinal(input, i, "<!--", 0, 4) == 0)
            {
                var end = input.IndexOf("-->", i + 4, StringComparison.Ordinal);
                i = end < 0 ? input.Length : end + 3;
            }
            else if (input[i] == '#' || (input[i] == '-' && i + 1 < input.Length && input[i + 1] == '-'))
            {
                break;
            }
            else
            {
                output.Append(input[i++]);
            }
        }

        return output.ToString();
    }

    public static string NormalizePathWin(string input) => NormalizePath(input.Replace('\\', '/'));

    /// <summary>Removes <c>./</c> and <c>//</c> and resolves <c>../</c>; above the root stays at the root.</summary>
    public static string NormalizePath(string input)
    {
        // Without a slash there is nothing to resolve, except a value that is itself "." or "..".
        if (input.Length == 0 || (!input.Contains('/', StringComparison.Ordinal) && input is not "." and not ".."))
        {
            return input;
        }

        var absolute = input[0] == '/';
        var trailing = input[^1] == '/' || input.EndsWith("/.", StringComparison.Ordinal) || input.EndsWith("/..", StringComparison.Ordinal) || input is "." or "..";
        var parts = input.Split('/');
        var stack = new List<string>(parts.Length);
        foreach (var part in parts)
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (stack.Count > 0 && stack[^1] != "..")
                {
                    stack.RemoveAt(stack.Count - 1);
                }
                else if (!absolute)
                {
                    stack.Add(part);
                }

                continue;
            }

            stack.Add(part);
        }

        var joined = string.Join('/', stack);
        var result = absolute ? "/" + joined : joined;
        if (trailing && stack.Count > 0)
        {
            result += "/";
        }

        return result;
    }

    public static string Trim(string input) => TrimRight(TrimLeft(input));

    public static string TrimLeft(string input)
    {
        var i = 0;
        while (i < input.Length && Decoders.IsCSpace(input[i]))
        {
            i++;
        }

        return i == 0 ? input : input[i..];
    }

    public static string TrimRight(string input)
    {
        var end = input.Length;
        while (end > 0 && Decoders.IsCSpace(input[end - 1]))
        {
            end--;
        }

        return end == input.Length ? input : input[..end];
    }

    public static string Length(string input) => input.Length.ToString(CultureInfo.InvariantCulture);

    public static string HexEncode(string input)
    {
        var output = new StringBuilder(input.Length * 2);
        foreach (var c in input)
        {
            output.Append(((int)(c & 0xff)).ToString("x2", CultureInfo.InvariantCulture));
        }

        return output.ToString();
    }

    public static string UrlEncode(string input)
    {
        var output = new StringBuilder(input.Length);
        foreach (var c in input)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '*' or '-' or '.' or '_')
            {
                output.Append(c);
            }
            else if (c == ' ')
            {
                output.Append('+');
            }
            else
            {
                output.Append('%').Append(((int)(c & 0xff)).ToString("x2", CultureInfo.InvariantCulture));
            }
        }

        return output.ToString();
    }

#pragma warning disable CA5350, CA5351 // digests the rules ask for (t:sha1, t:md5), not security
    public static string Sha1(string input) => Encoding.Latin1.GetString(SHA1.HashData(Encoding.Latin1.GetBytes(input)));

    public static string Md5(string input) => Encoding.Latin1.GetString(MD5.HashData(Encoding.Latin1.GetBytes(input)));
#pragma warning restore CA5350, CA5351
}

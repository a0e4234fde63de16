using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace EnvoyGovern.ExtProc.Waf.Transformations;

/// <summary>The non-decoding transformations, with ModSecurity v2's byte semantics (ASCII case only).</summary>
internal static class TextTransforms
{
    // C isspace plus the no-break space (0xA0), which ModSecurity's whitespace transformations also count.
    private static readonly SearchValues<char> White = SearchValues.Create(" \t\n\v\f\r\u00a0");
    private const ulong WhiteBits = (1UL << ' ') | (0x1FUL << '\t');

    // Whitespace that is never a run's single plain space: compressWhitespace changes every value holding one.
    private static readonly SearchValues<char> NotPlainSpace = SearchValues.Create("\t\n\v\f\r\u00a0");

    // What cmdLine deletes, replaces or lower-cases wherever it stands.
    private static readonly SearchValues<char> CmdLineChanges = SearchValues.Create("\"'\\^,;\t\r\nABCDEFGHIJKLMNOPQRSTUVWXYZ");

    private static readonly SearchValues<char> NullChar = SearchValues.Create("\0");

    public static string Lowercase(string input)
    {
        var first = input.AsSpan().IndexOfAnyInRange('A', 'Z');
        if (first < 0)
        {
            return input;
        }

        return string.Create(input.Length, (input, first), static (span, state) =>
        {
            var (source, first) = state;
            source.AsSpan(0, first).CopyTo(span);
            for (var k = first; k < source.Length; k++)
            {
                var c = source[k];
                span[k] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
            }
        });
    }

    public static string Uppercase(string input) => input.AsSpan().IndexOfAnyInRange('a', 'z') < 0 ? input : string.Create(input.Length, input, static (span, source) =>
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

        var output = TransformBuilder.Rent(input.Length);
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

        return TransformBuilder.Return(output, input);
    }

    // True when cmdLine would return the value as it is: nothing to delete, replace or lower-case, and no space
    // that would be merged with the next char. Most benign values of the CRS's command rules are like this.
    private static bool CmdLineKeeps(string input)
    {
        var span = input.AsSpan();
        if (span.IndexOfAny(CmdLineChanges) >= 0)
        {
            return false;
        }

        for (var i = span.IndexOf(' '); i >= 0; i = span.IndexOf(' '))
        {
            if (i + 1 < span.Length && span[i + 1] is ' ' or '/' or '(')
            {
                return false;
            }

            span = span[(i + 1)..];
        }

        return true;
    }

    // The chars of White (tab, line feed, vertical tab, form feed and carriage return are 9 to 13) by a bit mask: it runs
    // for every char of a value whose whitespace is removed.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsWhite(char c) => c <= ' ' ? ((WhiteBits >> c) & 1) != 0 : c == '\u00a0';

    public static string CompressWhitespace(string input)
    {
        if (CompressKeeps(input))
        {
            return input;
        }

        var output = TransformBuilder.Rent(input.Length);
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
        return TransformBuilder.Return(output, input);
    }

    // Unchanged when every whitespace run is one plain space: no other whitespace, and no two spaces in a row.
    private static bool CompressKeeps(string input) =>
        input.AsSpan().IndexOfAny(NotPlainSpace) < 0 && !input.Contains("  ", StringComparison.Ordinal);

    public static string RemoveWhitespace(string input)
    {
        var first = input.AsSpan().IndexOfAny(White);
        return first < 0 ? input : RemoveWhitespace(input, first, stackalloc char[CharWriter.StackChars]);
    }

    // Char by char past the first: text has a space every few chars, and a search per run costs more than a test. The
    // stack buffer comes from the caller: the JIT optimizes a method with a loop and a stackalloc once, without PGO.
    private static string RemoveWhitespace(string input, int first, Span<char> stack)
    {
        var output = new CharWriter(stack, input.Length);
        output.Append(input.AsSpan(0, first));
        for (var i = first + 1; i < input.Length; i++)
        {
            var c = input[i];
            if (!IsWhite(c))
            {
                output.Append(c);
            }
        }

        return output.ToStringAndDispose(input);
    }

    public static string RemoveNulls(string input) => Remove(input, NullChar);

    public static string ReplaceNulls(string input) => input.Replace('\0', ' ');

    // The input without the chars of drop: the runs between them copied whole.
    private static string Remove(string input, SearchValues<char> drop)
    {
        var rest = input.AsSpan();
        var at = rest.IndexOfAny(drop);
        if (at < 0)
        {
            return input;
        }

        var output = TransformBuilder.Rent(input.Length);
        while (at >= 0)
        {
            output.Append(rest[..at]);
            rest = rest[(at + 1)..];
            at = rest.IndexOfAny(drop);
        }

        output.Append(rest);
        return TransformBuilder.Return(output, input);
    }

    public static string ReplaceComments(string input)
    {
        if (!input.Contains("/*", StringComparison.Ordinal))
        {
            return input;
        }

        var output = TransformBuilder.Rent(input.Length);
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

        return TransformBuilder.Return(output, input);
    }

    public static string RemoveCommentsChar(string input)
    {
        // Every sequence it removes contains one of these.
        if (input.AsSpan().IndexOfAny('#', '*', '-') < 0)
        {
            return input;
        }

        var output = TransformBuilder.Rent(input.Length);
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

        return TransformBuilder.Return(output, input);
    }

    public static string RemoveComments(string input)
    {
        var output = TransformBuilder.Rent(input.Length);
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

        return TransformBuilder.Return(output, input);
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

        // An unchanged path is the input itself, as for every transformation: no second copy is kept.
        return result == input ? input : result;
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

    public static string Length(string input) => input.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string HexEncode(string input)
    {
        var output = TransformBuilder.Rent(input.Length * 2);
        foreach (var c in input)
        {
            AppendHexByte(output, c);
        }

        return TransformBuilder.Return(output, input);
    }

    // The low byte of c as two lowercase hex digits.
    private static void AppendHexByte(StringBuilder output, char c) =>
        output.Append("0123456789abcdef"[(c >> 4) & 0xf]).Append("0123456789abcdef"[c & 0xf]);

    public static string UrlEncode(string input)
    {
        var output = TransformBuilder.Rent(input.Length);
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
                AppendHexByte(output.Append('%'), c);
            }
        }

        return TransformBuilder.Return(output, input);
    }

#pragma warning disable CA5350, CA5351 // digests the rules ask for (t:sha1, t:md5), not security
    public static string Sha1(string input) => Encoding.Latin1.GetString(SHA1.HashData(Encoding.Latin1.GetBytes(input)));

    public static string Md5(string input) => Encoding.Latin1.GetString(MD5.HashData(Encoding.Latin1.GetBytes(input)));
#pragma warning restore CA5350, CA5351
}

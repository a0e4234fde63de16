using System.Globalization;
using System.Text;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>A PCRE construct that has no exact .NET equivalent.</summary>
internal sealed class PcreTranslationException(string message) : Exception(message);

/// <summary>
/// Rewrites a PCRE pattern (as ModSecurity compiles it: DOTALL, DOLLAR_ENDONLY, no UTF mode) into a .NET
/// pattern that matches the same strings when every input byte is one char (Latin-1). Possessive
/// quantifiers become atomic groups; <c>\s \w \d \h \v \R \N</c> get their ASCII/byte PCRE meaning; POSIX
/// classes expand; <c>\Q..\E</c> is quoted; <c>$</c> becomes <c>\z</c> outside multiline mode. Recursion,
/// branch reset, <c>\K</c> and backtracking verbs throw <see cref="PcreTranslationException"/>.
/// Remaining differences, accepted: <c>\b</c> and <c>(?i)</c> follow .NET for bytes above 0x7F.
/// </summary>
internal static class PcreTranslator
{
    private const string Space = @"\t\n\x0B\f\r ";
    private const string Word = "a-zA-Z0-9_";
    private const string HSpace = @"\t \xA0";
    private const string VSpace = @"\n\x0B\f\r\x85";

    private static readonly Dictionary<string, string> Posix = new(StringComparer.Ordinal)
    {
        ["alpha"] = "a-zA-Z",
        ["digit"] = "0-9",
        ["alnum"] = "a-zA-Z0-9",
        ["upper"] = "A-Z",
        ["lower"] = "a-z",
        ["space"] = Space,
        ["blank"] = @" \t",
        ["punct"] = @"!-/:-@\[-`{-~",
        ["xdigit"] = "0-9A-Fa-f",
        ["word"] = Word,
        ["cntrl"] = @"\x00-\x1F\x7F",
        ["print"] = @"\x20-\x7E",
        ["graph"] = @"\x21-\x7E",
        ["ascii"] = @"\x00-\x7F",
    };

    public static string Translate(string pattern)
    {
        var output = new StringBuilder(pattern.Length + 16);
        var groups = new Stack<int>();
        var multiline = false;
        var atomStart = -1;
        var i = 0;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            switch (c)
            {
                case '\\':
                    atomStart = output.Length;
                    i = Escape(pattern, i, output, inClass: false);
                    break;
                case '[':
                    atomStart = output.Length;
                    i = CharClass(pattern, i, output);
                    break;
                case '(' when string.CompareOrdinal(pattern, i, "(?P=", 0, 4) == 0:
                    // Named back reference: an atom, not a group.
                    atomStart = output.Length;
                    var close = pattern.IndexOf(')', i);
                    if (close < 0)
                    {
                        throw new PcreTranslationException($"unterminated (?P= at offset {i}");
                    }

                    output.Append(@"\k<").Append(pattern, i + 4, close - i - 4).Append('>');
                    i = close + 1;
                    break;
                case '(':
                    atomStart = -1;
                    groups.Push(output.Length);
                    i = GroupOpen(pattern, i, output, ref multiline);
                    break;
                case ')':
                    if (groups.Count == 0)
                    {
                        throw new PcreTranslationException($"unbalanced ')' at offset {i}");
                    }

                    atomStart = groups.Pop();
                    output.Append(')');
                    i++;
                    break;
                case '*' or '+' or '?':
                    i = Quantifier(pattern, i, i + 1, output, ref atomStart);
                    break;
                case '{':
                    var end = QuantifierEnd(pattern, i);
                    if (end < 0)
                    {
                        atomStart = output.Length;
                        output.Append(@"\{");
                        i++;
                    }
                    else
                    {
                        i = Quantifier(pattern, i, end, output, ref atomStart);
                    }

                    break;
                case '$':
                    atomStart = -1;
                    output.Append(multiline ? "$" : @"\z");
                    i++;
                    break;
                default:
                    atomStart = output.Length;
                    output.Append(c);
                    i++;
                    break;
            }
        }

        if (groups.Count > 0)
        {
            throw new PcreTranslationException("missing ')'");
        }

        return output.ToString();
    }

    // Copies a quantifier pattern[start..end) and its lazy/possessive suffix.
    private static int Quantifier(string pattern, int start, int end, StringBuilder output, ref int atomStart)
    {
        output.Append(pattern, start, end - start);
        if (end < pattern.Length && pattern[end] == '?')
        {
            output.Append('?');
            end++;
        }
        else if (end < pattern.Length && pattern[end] == '+')
        {
            if (atomStart < 0)
            {
                throw new PcreTranslationException($"possessive quantifier without an atom at offset {start}");
            }

            output.Insert(atomStart, "(?>").Append(')');
            end++;
        }

        atomStart = -1;
        return end;
    }

    // {n}, {n,}, {n,m}; -1 when the brace is a literal.
    private static int QuantifierEnd(string pattern, int i)
    {
        var j = i + 1;
        var digits = 0;
        while (j < pattern.Length && char.IsAsciiDigit(pattern[j]))
        {
            j++;
            digits++;
        }

        if (digits == 0)
        {
            return -1;
        }

        if (j < pattern.Length && pattern[j] == ',')
        {
            j++;
            while (j < pattern.Length && char.IsAsciiDigit(pattern[j]))
            {
                j++;
            }
        }

        return j < pattern.Length && pattern[j] == '}' ? j + 1 : -1;
    }

    private static int GroupOpen(string pattern, int i, StringBuilder output, ref bool multiline)
    {
        if (i + 1 < pattern.Length && pattern[i + 1] == '*')
        {
            throw new PcreTranslationException($"backtracking verb or option '(*' at offset {i} is not supported");
        }

        if (i + 1 >= pattern.Length || pattern[i + 1] != '?')
        {
            output.Append('(');
            return i + 1;
        }

        var rest = pattern.AsSpan(i + 2);
        if (rest.StartsWith("P<"))
        {
            output.Append("(?<");
            return i + 4;
        }

        if (rest.StartsWith("P>") || rest.StartsWith("&") || rest.StartsWith("R") || rest.StartsWith("|")
            || (rest.Length > 0 && (char.IsAsciiDigit(rest[0]) || ((rest[0] == '+' || rest[0] == '-') && rest.Length > 1 && char.IsAsciiDigit(rest[1])))))
        {
            throw new PcreTranslationException($"recursion, named back reference or branch reset at offset {i} is not supported");
        }

        if (rest.StartsWith("#"))
        {
            var close = pattern.IndexOf(')', i);
            if (close < 0)
            {
                throw new PcreTranslationException("unterminated comment");
            }

            output.Append(pattern, i, close - i);
            return close;
        }

        // Inline options: (?imsx-imsx) or (?imsx-imsx: ...
        var j = i + 2;
        var negated = false;
        while (j < pattern.Length && (char.IsAsciiLetter(pattern[j]) || pattern[j] == '-'))
        {
            switch (pattern[j])
            {
                case '-':
                    negated = true;
                    break;
                case 'm':
                    multiline |= !negated;
                    break;
                case 'i' or 's' or 'x' or 'n':
                    break;
                default:
                    throw new PcreTranslationException($"inline option '{pattern[j]}' at offset {j} is not supported");
            }

            j++;
        }

        output.Append("(?");
        return i + 2;
    }

    private static int CharClass(string pattern, int i, StringBuilder output)
    {
        output.Append('[');
        i++;
        if (i < pattern.Length && pattern[i] == '^')
        {
            output.Append('^');
            i++;
        }

        var first = true;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            if (c == ']' && !first)
            {
                output.Append(']');
                return i + 1;
            }

            first = false;
            if (c == '\\')
            {
                i = Escape(pattern, i, output, inClass: true);
            }
            else if (c == '[' && i + 1 < pattern.Length && pattern[i + 1] == ':')
            {
                var close = pattern.IndexOf(":]", i + 2, StringComparison.Ordinal);
                var name = close < 0 ? null : pattern[(i + 2)..close];
                if (name is null || !Posix.TryGetValue(name, out var expansion))
                {
                    throw new PcreTranslationException($"POSIX class at offset {i} is not supported");
                }

                output.Append(expansion);
                i = close + 2;
            }
            else if (c is '[' or ']')
            {
                output.Append('\\').Append(c);
                i++;
            }
            else
            {
                output.Append(c);
                i++;
            }
        }

        throw new PcreTranslationException("missing ']'");
    }

    private static int Escape(string pattern, int i, StringBuilder output, bool inClass)
    {
        if (i + 1 >= pattern.Length)
        {
            throw new PcreTranslationException("pattern ends with '\\'");
        }

        var c = pattern[i + 1];
        var next = i + 2;
        switch (c)
        {
            case 's':
                output.Append(inClass ? Space : $"[{Space}]");
                return next;
            case 'S':
                output.Append(inClass ? @"\S" : $"[^{Space}]");
                return next;
            case 'w':
                output.Append(inClass ? Word : $"[{Word}]");
                return next;
            case 'W':
                output.Append(inClass ? @"\W" : $"[^{Word}]");
                return next;
            case 'd':
                output.Append(inClass ? "0-9" : "[0-9]");
                return next;
            case 'D':
                output.Append(inClass ? @"\D" : "[^0-9]");
                return next;
            case 'h':
                output.Append(inClass ? HSpace : $"[{HSpace}]");
                return next;
            case 'v':
                output.Append(inClass ? VSpace : $"[{VSpace}]");
                return next;
            case 'H' or 'V' when !inClass:
                output.Append(c == 'H' ? $"[^{HSpace}]" : $"[^{VSpace}]");
                return next;
            case 'R' when !inClass:
                output.Append($@"(?:\r\n|[{VSpace}])");
                return next;
            case 'N' when !inClass:
                output.Append(@"[^\n]");
                return next;
            case 'e':
                output.Append(@"\x1B");
                return next;
            case 'x':
                return HexEscape(pattern, i, output);
            case 'o' when next < pattern.Length && pattern[next] == '{':
                var close = pattern.IndexOf('}', next);
                var value = Convert.ToInt32(pattern[(next + 1)..close], 8);
                AppendCode(output, value);
                return close + 1;
            case 'Q':
                var end = pattern.IndexOf(@"\E", next, StringComparison.Ordinal);
                var literal = end < 0 ? pattern[next..] : pattern[next..end];
                foreach (var ch in literal)
                {
                    AppendCode(output, ch);
                }

                return end < 0 ? pattern.Length : end + 2;
            case 'E':
                return next;
            case 'g' when next < pattern.Length && pattern[next] == '{' && !inClass:
                var brace = pattern.IndexOf('}', next);
                var reference = pattern[(next + 1)..brace];
                if (!int.TryParse(reference, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    output.Append(@"\k<").Append(reference).Append('>');
                }
                else
                {
                    output.Append('\\').Append(reference);
                }

                return brace + 1;
            case 'k' when next < pattern.Length && pattern[next] == '{':
                var nameEnd = pattern.IndexOf('}', next);
                output.Append(@"\k<").Append(pattern, next + 1, nameEnd - next - 1).Append('>');
                return nameEnd + 1;
            case '_':
                output.Append('_');
                return next;
            case 'K' or 'C' or 'X' or 'g' or 'u' or 'U' or 'L' or 'l':
                throw new PcreTranslationException($"escape '\\{c}' at offset {i} is not supported");
            default:
                if (char.IsAsciiLetterOrDigit(c) || !char.IsAscii(c))
                {
                    // b B A z Z G t n r f a c p P and digits mean the same in both engines.
                    output.Append('\\').Append(c);
                    return next;
                }

                output.Append('\\').Append(c);
                return next;
        }
    }

    // \xH, \xHH, \x{H...}; PCRE allows one digit or none (= \x00).
    private static int HexEscape(string pattern, int i, StringBuilder output)
    {
        var j = i + 2;
        int value;
        if (j < pattern.Length && pattern[j] == '{')
        {
            var close = pattern.IndexOf('}', j);
            if (close < 0 || !int.TryParse(pattern.AsSpan(j + 1, close - j - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value))
            {
                throw new PcreTranslationException($"bad \\x{{...}} at offset {i}");
            }

            j = close + 1;
        }
        else
        {
            value = 0;
            var digits = 0;
            while (digits < 2 && j < pattern.Length && char.IsAsciiHexDigit(pattern[j]))
            {
                value = (value << 4) | Convert.ToInt32(pattern[j].ToString(), 16);
                j++;
                digits++;
            }
        }

        AppendCode(output, value);
        return j;
    }

    private static void AppendCode(StringBuilder output, int value)
    {
        if (value > 0xFFFF)
        {
            throw new PcreTranslationException($"code point {value:X} is above U+FFFF");
        }

        output.Append(value <= 0xFF ? $@"\x{value:X2}" : $@"\u{value:X4}");
    }
}

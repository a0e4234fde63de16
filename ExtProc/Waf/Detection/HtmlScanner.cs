using System.Buffers;

namespace EnvoyGovern.ExtProc.Waf.Detection;

/// <summary>Where in an HTML document the value is assumed to start.</summary>
internal enum HtmlStart
{
    /// <summary>Between tags, as text.</summary>
    Data,

    /// <summary>Inside an unquoted attribute value (ends at whitespace or '&gt;').</summary>
    UnquotedValue,

    /// <summary>Inside a single-quoted attribute value.</summary>
    SingleQuotedValue,

    /// <summary>Inside a double-quoted attribute value.</summary>
    DoubleQuotedValue,

    /// <summary>Inside a back-quoted attribute value (old Internet Explorer).</summary>
    BackQuotedValue,
}

/// <summary>What the scanner is inside of when it reads attributes.</summary>
internal enum TagKind
{
    /// <summary>No tag: the value started inside an attribute value, so '&lt;' was never seen.</summary>
    None,

    /// <summary>A tag that is harmless without attributes and dangerous with any (iframe, object...).</summary>
    Loading,

    /// <summary>Any other tag.</summary>
    Other,
}

/// <summary>
/// A forward-only reading of the value with the HTML5 tokenizer's rules (data, tag open, tag name,
/// attribute name and value, comment, bogus comment, doctype), reporting the first construct that
/// would run script. Each character is read a bounded number of times: linear, no allocation.
/// </summary>
internal static class HtmlScanner
{
    private static readonly SearchValues<char> EndOfUnquotedValue = SearchValues.Create(" \t\n\f\r>");

    public static bool HasScript(ReadOnlySpan<char> s, HtmlStart start)
    {
        int i;
        switch (start)
        {
            case HtmlStart.Data:
                return ScanData(s, 0);
            case HtmlStart.UnquotedValue:
                i = s.IndexOfAny(EndOfUnquotedValue);
                if (i < 0)
                {
                    return false;
                }

                return s[i] == '>' ? ScanData(s, i + 1) : AttributesThenData(s, i);
            default:
                var quote = start switch
                {
                    HtmlStart.SingleQuotedValue => '\'',
                    HtmlStart.DoubleQuotedValue => '"',
                    _ => '`',
                };
                i = s.IndexOf(quote);
                return i >= 0 && AttributesThenData(s, i + 1);
        }
    }

    private static bool AttributesThenData(ReadOnlySpan<char> s, int i)
    {
        i = ScanAttributes(s, i, TagKind.None, out var dangerous);
        return dangerous || ScanData(s, i);
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\f' or '\r';

    private static bool ScanData(ReadOnlySpan<char> s, int i)
    {
        while (i < s.Length)
        {
            var lt = s[i..].IndexOf('<');
            if (lt < 0 || i + lt + 1 >= s.Length)
            {
                return false;
            }

            i += lt + 1;
            var c = s[i];
            if (char.IsAsciiLetter(c))
            {
                var end = EndOfName(s, i);
                var name = s[i..end];
                if (XssVocabulary.IsScriptTag(name))
                {
                    return true;
                }

                i = ScanAttributes(s, end, XssVocabulary.IsLoadingTag(name) ? TagKind.Loading : TagKind.Other, out var dangerousAttribute);
                if (dangerousAttribute)
                {
                    return true;
                }

                continue;
            }

            switch (c)
            {
                case '/':
                    // An end tag's attributes do nothing; "</ x>" is a bogus comment, read like one.
                    if (i + 1 < s.Length && !char.IsAsciiLetter(s[i + 1]))
                    {
                        i = ReadBogusComment(s, i + 1, out var dangerousClose);
                        if (dangerousClose)
                        {
                            return true;
                        }

                        continue;
                    }

                    var close = s[i..].IndexOf('>');
                    if (close < 0)
                    {
                        return false;
                    }

                    i += close + 1;
                    break;
                case '!':
                    if (s[(i + 1)..].StartsWith("--"))
                    {
                        var body = s[(i + 3)..];
                        var endComment = body.IndexOf("-->");
                        if (IsDangerousComment(endComment < 0 ? body : body[..endComment]))
                        {
                            return true;
                        }

                        i = endComment < 0 ? s.Length : i + 3 + endComment + 3;
                        break;
                    }

                    // <!DOCTYPE ...> and <![CDATA[ change how the rest is parsed: no value needs one.
                    if (s[(i + 1)..].StartsWith("doctype", StringComparison.OrdinalIgnoreCase)
                        || s[(i + 1)..].StartsWith("[CDATA[", StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }

                    i = ReadBogusComment(s, i + 1, out var dangerousBang);
                    if (dangerousBang)
                    {
                        return true;
                    }

                    break;
                case '?':
                    i = ReadBogusComment(s, i + 1, out var dangerousQuestion);
                    if (dangerousQuestion)
                    {
                        return true;
                    }

                    break;
                default:
                    break;
            }
        }

        return false;
    }

    private static int ReadBogusComment(ReadOnlySpan<char> s, int i, out bool dangerous)
    {
        var body = s[i..];
        var end = body.IndexOf('>');
        dangerous = IsDangerousComment(end < 0 ? body : body[..end]);
        return end < 0 ? s.Length : i + end + 1;
    }

    // Internet Explorer ends tags at '`' and runs conditional comments ([if ...]); <?xml, <?import and
    // <!ENTITY switch parsers or define entities.
    private static bool IsDangerousComment(ReadOnlySpan<char> body) =>
        body.Contains('`')
        || body.StartsWith("[if", StringComparison.OrdinalIgnoreCase)
        || body.StartsWith("xml", StringComparison.OrdinalIgnoreCase)
        || body.StartsWith("import", StringComparison.OrdinalIgnoreCase)
        || body.StartsWith("entity", StringComparison.OrdinalIgnoreCase);

    private static int EndOfName(ReadOnlySpan<char> s, int i)
    {
        while (i < s.Length && !IsSpace(s[i]) && s[i] is not ('/' or '>'))
        {
            i++;
        }

        return i;
    }

    // Returns where the data after the tag starts (after '>', or the end of the input).
    private static int ScanAttributes(ReadOnlySpan<char> s, int i, TagKind tag, out bool dangerous)
    {
        dangerous = false;
        while (true)
        {
            while (i < s.Length && (IsSpace(s[i]) || s[i] == '/'))
            {
                i++;
            }

            if (i >= s.Length || s[i] == '>')
            {
                return Math.Min(i + 1, s.Length);
            }

            var nameStart = i;
            i++;
            while (i < s.Length && !IsSpace(s[i]) && s[i] is not ('/' or '>' or '='))
            {
                i++;
            }

            var name = s[nameStart..i];
            if (tag == TagKind.Loading)
            {
                dangerous = true;
                return s.Length;
            }

            var j = i;
            while (j < s.Length && IsSpace(s[j]))
            {
                j++;
            }

            // Outside a tag, "onError = (err) => {" is code: an injected attribute is written name=value.
            if (j >= s.Length || s[j] != '=' || (tag == TagKind.None && j != i))
            {
                continue;
            }

            i = ReadValue(s, j + 1, out var value);
            if (IsDangerousAttribute(name, value, tag != TagKind.None))
            {
                dangerous = true;
                return s.Length;
            }
        }
    }

    private static int ReadValue(ReadOnlySpan<char> s, int i, out ReadOnlySpan<char> value)
    {
        while (i < s.Length && IsSpace(s[i]))
        {
            i++;
        }

        if (i < s.Length && s[i] is '"' or '\'' or '`')
        {
            var close = s[(i + 1)..].IndexOf(s[i]);
            value = close < 0 ? s[(i + 1)..] : s.Slice(i + 1, close);
            return close < 0 ? s.Length : i + 1 + close + 1;
        }

        var end = i;
        while (end < s.Length && !IsSpace(s[end]) && s[end] != '>')
        {
            end++;
        }

        value = s[i..end];
        return end;
    }

    private static bool IsDangerousAttribute(ReadOnlySpan<char> name, ReadOnlySpan<char> value, bool inTag)
    {
        if (name.Length >= 5 && name.StartsWith("on", StringComparison.OrdinalIgnoreCase))
        {
            return inTag || XssVocabulary.IsEventHandler(name);
        }

        // Outside a real tag the "attribute" may be words after an apostrophe ("it's online=yes",
        // "style = require(...)"): only a known handler name, or a style that declares something, counts.
        return (name.Equals("style", StringComparison.OrdinalIgnoreCase) && (inTag || value.Contains(':')))
            || name.Equals("srcdoc", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("xmlns", StringComparison.OrdinalIgnoreCase)
            || (name.StartsWith("xlink", StringComparison.OrdinalIgnoreCase) && !name.Equals("xlink:href", StringComparison.OrdinalIgnoreCase))
            || (XssVocabulary.IsUrlAttribute(name) && XssVocabulary.IsScriptUrl(value));
    }
}

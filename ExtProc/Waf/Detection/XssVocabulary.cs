using System.Collections.Frozen;

namespace EnvoyGovern.ExtProc.Waf.Detection;

/// <summary>
/// The HTML names that make markup executable: tags that run or load code or restyle the page,
/// attributes whose value is a URL, and the DOM event handler names. From the HTML, SVG and DOM
/// specifications.
/// </summary>
internal static class XssVocabulary
{
    private static readonly (string Name, char Value)[] NamedReferences =
        [("colon;", ':'), ("tab;", '\t'), ("newline;", '\n'), ("nbsp;", '\u00a0'), ("nbsp", '\u00a0')];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> ScriptTags = Set(
        "script style xml xss import handler listener vmlframe noscript comment");

    // These load or redirect only through an attribute: "List<object>" in a code prompt is no attack.
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> LoadingTags = Set(
        "iframe frame frameset object embed applet base link meta isindex");

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> UrlAttributes = Set(
        "href src action formaction background lowsrc dynsrc poster data codebase cite longdesc usemap "
        + "profile datasrc to from values by folder");

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> EventHandlers = Set(
        "onabort onactivate onafterprint onanimationcancel onanimationend onanimationiteration onanimationstart "
        + "onauxclick onbeforeactivate onbeforecopy onbeforecut onbeforeinput onbeforematch onbeforepaste "
        + "onbeforeprint onbeforetoggle onbeforeunload onbegin onblur oncancel oncanplay oncanplaythrough "
        + "onchange onclick onclose oncontextmenu oncopy oncuechange oncut ondblclick ondrag ondragend "
        + "ondragenter ondragleave ondragover ondragstart ondrop ondurationchange onemptied onend onended "
        + "onerror onfilterchange onfocus onfocusin onfocusout onformdata onfullscreenchange onhashchange "
        + "oninput oninvalid onkeydown onkeypress onkeyup onload onloadeddata onloadedmetadata onloadstart "
        + "onmessage onmousedown onmouseenter onmouseleave onmousemove onmouseout onmouseover onmouseup "
        + "onmousewheel onmove onoffline ononline onpagehide onpageshow onpaste onpause onplay onplaying "
        + "onpointercancel onpointerdown onpointerenter onpointerleave onpointermove onpointerout "
        + "onpointerover onpointerup onpopstate onprogress onpropertychange onratechange onreadystatechange "
        + "onrepeat onreset onresize onscroll onscrollend onsearch onseeked onseeking onselect "
        + "onselectionchange onselectstart onshow onstalled onstorage onsubmit onsuspend ontimeupdate "
        + "ontoggle ontouchcancel ontouchend ontouchmove ontouchstart ontransitioncancel ontransitionend "
        + "ontransitionrun ontransitionstart onunload onvolumechange onwaiting onwheel");

    /// <summary>
    /// A tag that runs code by itself; any svg* or xsl* tag counts (SVG and XSLT run script). A
    /// namespaced name (x:script) counts by its local name.
    /// </summary>
    public static bool IsScriptTag(ReadOnlySpan<char> name)
    {
        name = LocalName(name);
        return ScriptTags.Contains(name)
            || name.StartsWith("svg", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("xsl", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A tag that loads or navigates to a resource given in any of its attributes.</summary>
    public static bool IsLoadingTag(ReadOnlySpan<char> name) => LoadingTags.Contains(LocalName(name));

    private static ReadOnlySpan<char> LocalName(ReadOnlySpan<char> name) => name[(name.LastIndexOf(':') + 1)..];

    /// <summary>An attribute whose value the browser loads or navigates to.</summary>
    public static bool IsUrlAttribute(ReadOnlySpan<char> name) =>
        UrlAttributes.Contains(name) || name.Equals("xlink:href", StringComparison.OrdinalIgnoreCase);

    /// <summary>A DOM event handler name (onload, onerror...).</summary>
    public static bool IsEventHandler(ReadOnlySpan<char> name) => EventHandlers.Contains(name);

    /// <summary>Whether a URL value runs script: javascript:, vbscript:, data:, view-source:.</summary>
    public static bool IsScriptUrl(ReadOnlySpan<char> value)
    {
        // Browsers drop leading spaces and control characters, ignore tabs and newlines inside the
        // scheme and decode character references first, so " java&#x09;script&colon;" still runs.
        Span<char> scheme = stackalloc char[12];
        var length = 0;
        var i = 0;
        while (i < value.Length)
        {
            var c = value[i] == '&' ? ReadReference(value, ref i) : value[i++];
            if (c is <= ' ' or '\u00a0')
            {
                continue;
            }

            if (c == ':')
            {
                var found = scheme[..length];
                return found.SequenceEqual("javascript") || found.SequenceEqual("vbscript") || found.SequenceEqual("data")
                    || found.SequenceEqual("view-source") || found.SequenceEqual("livescript");
            }

            if (length == scheme.Length)
            {
                return false;
            }

            scheme[length++] = char.ToLowerInvariant(c);
        }

        return false;
    }

    // Decodes &#NN; &#xHH; and the references that hide a scheme (&colon; &Tab; &NewLine; &nbsp;);
    // anything else is a literal '&'. Advances i past what it read.
    private static char ReadReference(ReadOnlySpan<char> value, ref int i)
    {
        var rest = value[(i + 1)..];
        if (rest.Length > 1 && rest[0] == '#')
        {
            var hex = rest[1] is 'x' or 'X';
            var j = hex ? 2 : 1;
            var code = 0;
            var digits = 0;
            while (j < rest.Length && digits < 8 && (hex ? char.IsAsciiHexDigit(rest[j]) : char.IsAsciiDigit(rest[j])))
            {
                var digit = char.IsAsciiDigit(rest[j]) ? rest[j] - '0' : (rest[j] | 0x20) - 'a' + 10;
                code = (code * (hex ? 16 : 10)) + digit;
                j++;
                digits++;
            }

            if (digits > 0)
            {
                i += 1 + j + (j < rest.Length && rest[j] == ';' ? 1 : 0);
                return code is > 0 and < 0x10000 ? (char)code : '\0';
            }
        }

        foreach (var (name, c) in NamedReferences)
        {
            if (rest.StartsWith(name, StringComparison.OrdinalIgnoreCase))
            {
                i += 1 + name.Length;
                return c;
            }
        }

        i++;
        return '&';
    }

    private static FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> Set(string words) =>
        words.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase)
            .GetAlternateLookup<ReadOnlySpan<char>>();
}

namespace EnvoyGovern.ExtProc.Waf.Detection;

/// <summary>
/// The <c>@detectXSS</c> operator: reads the value as HTML starting as text and as the inside of an
/// unquoted, single-, double- and back-quoted attribute value, and reports a dangerous tag (script,
/// iframe, svg...), an event handler attribute, a script URL in a URL attribute, a style attribute,
/// a doctype or an Internet Explorer comment trick. Linear in the input, no allocation.
/// </summary>
public static class XssDetector
{
    /// <summary>True when <paramref name="input"/> would run script in some HTML context.</summary>
    /// <param name="input">The value, one char per byte (Latin-1), after the rule's transformations.</param>
    public static bool IsXss(ReadOnlySpan<char> input)
    {
        if (input.IsEmpty)
        {
            return false;
        }

        return HtmlScanner.HasScript(input, HtmlStart.Data)
            || HtmlScanner.HasScript(input, HtmlStart.UnquotedValue)
            || (input.Contains('\'') && HtmlScanner.HasScript(input, HtmlStart.SingleQuotedValue))
            || (input.Contains('"') && HtmlScanner.HasScript(input, HtmlStart.DoubleQuotedValue))
            || (input.Contains('`') && HtmlScanner.HasScript(input, HtmlStart.BackQuotedValue));
    }
}

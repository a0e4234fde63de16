using EnvoyGovern.ExtProc.Waf.Detection;

namespace EnvoyGovern.Tests.Waf.Detection;

public sealed class XssDetectorTests
{
    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<ScRiPt src=//evil.example/x.js>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("<svg/onload=alert(1)>")]
    [InlineData("<svg><animate attributeName=href values=javascript:alert(1) />")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>")]
    [InlineData("<a href=' java\tscript:alert(1)'>x</a>")]
    [InlineData("<a href=vbscript:msgbox(1)>x</a>")]
    [InlineData("<object data=\"data:text/html,<script>alert(1)</script>\">")]
    [InlineData("<iframe src=https://evil.example></iframe>")]
    [InlineData("<embed src=x.swf>")]
    [InlineData("<style>@import 'x'</style>")]
    [InlineData("<div style=\"background:url(javascript:alert(1))\">")]
    [InlineData("\"><script>alert(1)</script>")]
    [InlineData("' onmouseover='alert(1)")]
    [InlineData("\" onfocus=\"alert(1)\" autofocus=\"")]
    [InlineData("x onclick=alert(1)")]
    [InlineData("<x:script xmlns:x=\"http://www.w3.org/1999/xhtml\">alert(1)</x:script>")]
    [InlineData("<!DOCTYPE html><p>")]
    [InlineData("<!--[if IE]><b>x</b><![endif]-->")]
    [InlineData("<?xml version=\"1.0\"?>")]
    [InlineData("<xss onbeforehellfreezes=alert(1)>")]
    [InlineData("<b/onmouseover=alert(1)>bold</b>")]
    [InlineData("<base href=//evil.example/>")]
    [InlineData("<a href=\"&#32;javascript:alert(1)\">")]
    [InlineData("<a href=\"&#x20;javascript:alert(1)\">")]
    [InlineData("<a href=\"&#74;avascript:alert(1)\">")]
    [InlineData("<a href=\"j&#0;avascript:alert(1)\">")]
    [InlineData("<a href=\"ja&Tab;vascript&colon;alert(1)\">")]
    [InlineData("x onerror=alert(1);>")]
    [InlineData("red;}</style><script>alert(1);</script>")]
    public void IsXss_ClassicPayload_Detected(string payload)
    {
        Assert.True(XssDetector.IsXss(payload), payload);
    }

    [Theory]
    [InlineData("O'Reilly")]
    [InlineData("it's 1 o'clock")]
    [InlineData("It's online now, isn't it?")]
    [InlineData("They're on style duty; it's onboarding week")]
    [InlineData("a < b and c > d")]
    [InlineData("if x<y and y>z then")]
    [InlineData("I <3 you")]
    [InlineData("Use <b>bold</b> and <i>italic</i>, or <a href=\"https://example.com\">a link</a>")]
    [InlineData("<p class=\"note\">Hello</p>")]
    [InlineData("<img src=\"/logo.png\" alt=\"logo\">")]
    [InlineData("Visit https://example.com/path?x=1&y=2")]
    [InlineData("javascript is my favourite language")]
    [InlineData("{\"prompt\": \"Write a haiku about the sea\", \"max_tokens\": 64}")]
    [InlineData("## Heading\n\n* list item with `code` and **bold**")]
    [InlineData("Explain the difference between == and === in JavaScript")]
    [InlineData("john.doe@example.com")]
    [InlineData("OWASP CRS test agent")]
    [InlineData("http://www.coreruleset.org")]
    [InlineData("1 OR 1=1")]
    [InlineData("internal IEnumerable<object> CompiledValues => _compiled.Values;")]
    [InlineData("const style = require('ansi-styles');")]
    [InlineData("<iframe></iframe> and <object/> without attributes load nothing")]
    [InlineData("const onError = (err) => {")]
    [InlineData("<a href=\"https://example.com/?a=1&amp;b=2\">AT&T</a>")]
    [InlineData("")]
    public void IsXss_BenignText_NotDetected(string text)
    {
        Assert.False(XssDetector.IsXss(text), text);
    }

    [Fact]
    public void IsXss_OneMegabyteInput_Completes()
    {
        var tags = string.Concat(Enumerable.Repeat("<b class='x' id=\"y\">it's</b> <!-- c --> ", 25_000));
        var attack = string.Concat(Enumerable.Repeat("<p a=b>", 150_000)) + "<img src=x onerror=alert(1)>";

        Assert.False(XssDetector.IsXss(tags));
        Assert.True(XssDetector.IsXss(attack));
    }
}

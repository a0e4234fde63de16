using EnvoyGovern.ExtProc.Waf.Transformations;

namespace EnvoyGovern.Tests.Waf;

public sealed class TransformationTests
{
    [Theory]
    [InlineData("lowercase", "SeLeCT \u00c9", "select \u00c9")] // ASCII only, as ModSecurity
    [InlineData("urlDecodeUni", "%27%20OR+1%3d1", "' OR 1=1")]
    [InlineData("urlDecodeUni", "%u0027%uff1c%zz", "'<%zz")] // %uFF1C is a full-width '<'
    [InlineData("urlDecode", "100%", "100%")]
    [InlineData("htmlEntityDecode", "&lt;script&gt;&#x41;&#66&quot;", "<script>AB\"")]
    [InlineData("jsDecode", "\\x3cscript\\u003e\\101\\n", "<script>A\n")]
    [InlineData("cssDecode", "\\6a avascript\\:", "javascript:")]
    [InlineData("cmdLine", "C^at  /ETC/\"pass\"wd ; ls", "cat/etc/passwd ls")]
    [InlineData("cmdLine", "ls -la x/y", "ls -la x/y")] // nothing to change: the value as it is
    [InlineData("cmdLine", "a /b (c", "a/b(c")]
    [InlineData("cmdLine", "a  b", "a b")]
    [InlineData("compressWhitespace", "a \t\n b", "a b")]
    [InlineData("compressWhitespace", "a b c", "a b c")]
    [InlineData("compressWhitespace", "a\tb\nc", "a b c")]
    [InlineData("removeWhitespace", "a \t b", "ab")]
    [InlineData("replaceComments", "1/*x*/OR/*", "1 OR ")]
    [InlineData("removeCommentsChar", "1/*x*/--#a", "1xa")]
    [InlineData("removeCommentsChar", "a-b <c>", "a-b <c>")]
    [InlineData("normalizePath", "/a/./b/../../../etc//passwd", "/etc/passwd")]
    [InlineData("normalizePath", "passwd", "passwd")]
    [InlineData("normalizePath", ".", "")]
    [InlineData("normalizePath", "..", "../")]
    [InlineData("normalizePathWin", "c:\\a\\..\\win.ini", "c:/win.ini")]
    [InlineData("utf8toUnicode", "\u00c3\u00a9", "%u00e9")] // UTF-8 bytes of é
    [InlineData("base64Decode", "YWRtaW4=", "admin")]
    [InlineData("hexEncode", "AB", "4142")]
    [InlineData("length", "abcd", "4")]
    [InlineData("escapeSeqDecode", "\\x41\\t\\q", "A\tq")]
    public void Transform_Input_AsModSecurity(string name, string input, string expected)
    {
        Assert.True(Transforms.TryGet(name, out var transform));
        Assert.Equal(expected, transform(input));
    }
}

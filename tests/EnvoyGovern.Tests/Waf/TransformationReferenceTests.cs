using EnvoyGovern.ExtProc.Waf.Transformations;

namespace EnvoyGovern.Tests.Waf;

/// <summary>
/// The transformations that write into a stack buffer (a pooled array past 128 chars) and decode Base64 four chars at a
/// time, against plain char-by-char references, on random text of every length up to well past the stack buffer.
/// </summary>
public sealed class TransformationReferenceTests
{
    private const string Alphabet = "ABCXYZabcxyz0189+/-_=%uU \t\n\v\f\r\u00a0\u00e9.!";

    [Theory]
    [InlineData("base64Decode", false)]
    [InlineData("base64DecodeExt", true)]
    public void Base64_RandomText_AsCharByCharDecoding(string name, bool skipInvalid)
    {
        Assert.True(Transforms.TryGet(name, out var transform));
        foreach (var input in RandomTexts(seed: 6))
        {
            Assert.Equal(Base64Reference(input, skipInvalid), transform(input));
        }
    }

    [Fact]
    public void RemoveWhitespace_RandomText_EveryOtherCharKept()
    {
        Assert.True(Transforms.TryGet("removeWhitespace", out var transform));
        foreach (var input in RandomTexts(seed: 7))
        {
            Assert.Equal(string.Concat(input.Where(c => !" \t\n\v\f\r\u00a0".Contains(c))), transform(input));
        }
    }

    [Theory]
    [InlineData("urlDecodeUni")]
    [InlineData("urlDecode")]
    public void UrlDecode_PastTheStackBuffer_WholeValueDecoded(string name)
    {
        Assert.True(Transforms.TryGet(name, out var transform));

        var decoded = transform(string.Concat(Enumerable.Repeat("%41+b%zz", 100)));

        Assert.Equal(string.Concat(Enumerable.Repeat("A b%zz", 100)), decoded);
    }

    [Fact]
    public void RemoveWhitespace_PastThePooledSize_WholeValueKept()
    {
        Assert.True(Transforms.TryGet("removeWhitespace", out var transform));

        var result = transform(string.Concat(Enumerable.Repeat("ab c\t", 10_000)));

        Assert.Equal(string.Concat(Enumerable.Repeat("abc", 10_000)), result);
    }

    [Fact]
    public void Base64_ValidTextOfEveryLength_AsTheRuntimeDecodes()
    {
        Assert.True(Transforms.TryGet("base64Decode", out var transform));
        var random = new Random(8);
        for (var length = 0; length < 400; length++)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);

            var decoded = transform(Convert.ToBase64String(bytes));

            Assert.Equal(new string([.. bytes.Select(b => (char)b)]), decoded);
        }
    }

    [Fact]
    public void HtmlEntityDecode_FormBodyWithoutEntities_TheSameString()
    {
        Assert.True(Transforms.TryGet("htmlEntityDecode", out var transform));
        var body = string.Concat(Enumerable.Range(0, 40).Select(i => $"field{i}=lorem+ipsum&"));

        Assert.Same(body, transform(body));
    }

    [Theory]
    [InlineData("a=1&b=2&c=&lt;x&gt;&d", "a=1&b=2&c=<x>&d")]
    [InlineData("a&&#x41;", "a&A")]
    [InlineData("&#;&#x;&", "&#;&#x;&")]
    public void HtmlEntityDecode_EntitiesAfterPlainAmpersands_Decoded(string input, string expected)
    {
        Assert.True(Transforms.TryGet("htmlEntityDecode", out var transform));

        Assert.Equal(expected, transform(input));
    }

    private static IEnumerable<string> RandomTexts(int seed)
    {
        var random = new Random(seed);
        for (var length = 0; length < 600; length += 1 + (length / 16))
        {
            for (var sample = 0; sample < 20; sample++)
            {
                // Mostly valid Base64 with a few other chars, so both the four-char path and the char path run.
                yield return new string([.. Enumerable.Range(0, length).Select(_ => random.Next(8) == 0
                    ? Alphabet[random.Next(Alphabet.Length)]
                    : Alphabet[random.Next(12)])]);
            }
        }
    }

    private static string Base64Reference(string input, bool skipInvalid)
    {
        const string Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var output = new System.Text.StringBuilder();
        var buffer = 0;
        var bits = 0;
        foreach (var c in input)
        {
            var value = c is '+' or '-' ? 62 : c is '/' or '_' ? 63 : Chars.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                if (skipInvalid)
                {
                    continue;
                }

                break;
            }

            buffer = (buffer << 6) | value;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                output.Append((char)((buffer >> bits) & 0xff));
            }
        }

        return output.ToString();
    }
}

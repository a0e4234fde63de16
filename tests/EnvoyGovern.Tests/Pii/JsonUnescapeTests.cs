using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using EnvoyGovern.ExtProc.Pii;

namespace EnvoyGovern.Tests.Pii;

public sealed class JsonUnescapeTests
{
    private static readonly JsonSerializerOptions[] Encoders =
    [
        new() { Encoder = JavaScriptEncoder.Default },
        new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping },
    ];

    [Theory]
    [InlineData("plain ascii")]
    [InlineData("quote \" backslash \\ slash / tab \t newline \n cr \r bell \b ff \f")]
    [InlineData("mail jane+ai@example.com <tag> & 'x'")]
    [InlineData("accents é ü ß, CJK 漢字, emoji 🙂👍🏽")]
    [InlineData("\u0001 control \u001f")]
    public void Unescape_EscapedByTheFramework_SameAsCopyString(string value)
    {
        foreach (var options in Encoders)
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(value, options);
            var reader = new Utf8JsonReader(json);
            reader.Read();

            var unescaped = JsonUnescape.Unescape(reader.ValueSpan, new ArrayBufferWriter<byte>());

            Assert.Equal(value, Encoding.UTF8.GetString(unescaped));
        }
    }

    [Fact]
    public void Unescape_UpperCaseHexAndLoneSurrogate_DecodedAndReplaced()
    {
        var unescaped = JsonUnescape.Unescape("a\\u00E9\\uD83D\\uDE42\\uD800b\\/"u8, new ArrayBufferWriter<byte>());

        Assert.Equal("aé🙂\uFFFDb/", Encoding.UTF8.GetString(unescaped));
    }
}

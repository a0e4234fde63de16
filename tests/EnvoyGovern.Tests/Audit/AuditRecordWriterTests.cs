using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using EnvoyGovern.Governance.Audit.Recording;

namespace EnvoyGovern.Tests.Audit;

/// <summary>
/// The raw record writer against <see cref="Utf8JsonWriter"/> with the relaxed encoder, which wrote the records before:
/// every value must come out as the same bytes (the hash chain and the records' readers see no difference).
/// </summary>
public sealed class AuditRecordWriterTests
{
    public static TheoryData<string> Hostile() =>
    [
        "",
        "plain ascii value 0123456789",
        "quote \" backslash \\ slash /",
        "control \u0000 \u0001 \t \n \r \u001f end",
        "delete \u007f",
        "html <script>alert('x')</script> & \u0027 `tick`",
        "non-ascii: é ü ß 日本語",
        "line separators \u2028 \u2029 and bom \ufeff",
        "emoji \ud83d\ude00 pair",
        "lone high \ud800 surrogate",
        "lone low \udc00 surrogate",
        "\"}],\"injected\":true,\"x\":{\"",
        new string('a', 5000) + "\"" + new string('b', 300),
        string.Concat(Enumerable.Range(0, 0x80).Select(c => (char)c)),
    ];

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Text_HostileValue_SameBytesAsUtf8JsonWriter(string value)
    {
        var actual = Raw(w => w.Text(value));

        Assert.Equal(Expected(w => w.WriteStringValue(value)), actual);
        Assert.Equal(value.Contains('\ud800', StringComparison.Ordinal) || value.Contains('\udc00', StringComparison.Ordinal) ? value.Replace('\ud800', '\ufffd').Replace('\udc00', '\ufffd') : value, JsonSerializer.Deserialize<string>(actual));
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void TextUtf8_HostileValue_SameBytesAsItsDecodedText(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);

        var actual = Raw(w => w.TextUtf8(utf8));

        Assert.Equal(Raw(w => w.Text(Encoding.UTF8.GetString(utf8))), actual);
        Assert.Equal(Expected(w => w.WriteStringValue(Encoding.UTF8.GetString(utf8))), actual);
    }

    [Fact]
    public void Text_Null_NullLiteral()
    {
        Assert.Equal("null"u8.ToArray(), Raw(w => w.Text((string?)null)));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(39597100L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void Number_Values_SameBytesAsUtf8JsonWriter(long value)
    {
        Assert.Equal(Expected(w => w.WriteNumberValue(value)), Raw(w => w.Number(value)));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(10L)]
    [InlineData(1_000_000L)]
    [InlineData(9_999_999L)]
    [InlineData(1_234_500L)]
    [InlineData(215_360L)]
    public void Timestamp_Fractions_SameBytesAsUtf8JsonWriter(long ticksIntoSecond)
    {
        var instant = new DateTime(2026, 11, 27, 9, 45, 0, DateTimeKind.Utc).AddTicks(ticksIntoSecond);

        Assert.Equal(Expected(w => w.WriteStringValue(instant)), Raw(w => w.Timestamp(instant)));
    }

    [Fact]
    public void MemberIfSet_Null_WritesNothing()
    {
        Assert.Empty(Raw(w => w.MemberIfSet(",\"x\":"u8, null)));
        Assert.Equal(",\"x\":\"y\""u8.ToArray(), Raw(w => w.MemberIfSet(",\"x\":"u8, "y")));
    }

    private static byte[] Raw(Action<AuditRecordWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new AuditRecordWriter(buffer);
        write(writer);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Expected(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true }))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}

using System.Buffers;
using System.Diagnostics;
using System.Text;
using EnvoyGovern.ExtProc.Inspection.Bodies;

namespace EnvoyGovern.Tests.ExtProc.Bodies;

public sealed class BodyCodecTests
{
    private static readonly byte[] Text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 3000).Select(i => $"{{\"line\":{i},\"text\":\"hello world\"}}\n")));

    public static TheoryData<ContentCoding, bool, int> Codings() => new()
    {
        { ContentCoding.Gzip, false, 1 },
        { ContentCoding.Gzip, false, 977 },
        { ContentCoding.Deflate, false, 1 },
        { ContentCoding.Deflate, true, 1 },
        { ContentCoding.Deflate, true, 4096 },
        { ContentCoding.Brotli, false, 1 },
        { ContentCoding.Brotli, false, 333 },
    };

    public static TheoryData<ContentCoding> Encoded() => [ContentCoding.Gzip, ContentCoding.Deflate, ContentCoding.Brotli];

    [Theory]
    [MemberData(nameof(Codings))]
    public void Decode_ChunkByChunk_YieldsTheBody(ContentCoding coding, bool rawDeflate, int chunkSize)
    {
        var encoded = Compression.Encode(coding, Text, rawDeflate);
        using var decoder = new BodyDecoder(coding);
        var output = new ArrayBufferWriter<byte>();
        var chunks = Compression.Split(encoded, chunkSize).ToList();

        for (var i = 0; i < chunks.Count; i++)
        {
            decoder.Decode(chunks[i], final: i == chunks.Count - 1, output, long.MaxValue);
        }

        Assert.Equal(Text, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Decode_GzipBomb_StopsAtTheLimitQuickly()
    {
        var bomb = Compression.Bomb(1024L * 1024 * 1024);
        using var decoder = new BodyDecoder(ContentCoding.Gzip);
        var output = new ArrayBufferWriter<byte>();
        var watch = Stopwatch.StartNew();

        var error = Assert.Throws<BodyLimitExceededException>(() => decoder.Decode(bomb, final: true, output, 4 * 1024 * 1024));

        Assert.Equal(4 * 1024 * 1024, error.Limit);
        Assert.True(output.WrittenCount <= 4 * 1024 * 1024);
        Assert.True(bomb.Length < 2 * 1024 * 1024, $"the bomb is {bomb.Length} bytes");
        // Generous: inflating 4 MB takes milliseconds; the full gigabyte would take seconds.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
    }

    [Theory]
    [MemberData(nameof(Encoded))]
    public void Decode_NotEncoded_ThrowsDecodingError(ContentCoding coding)
    {
        using var decoder = new BodyDecoder(coding);
        var garbage = Encoding.UTF8.GetBytes(new string('x', 200) + "{\"this is\":\"not compressed\"}");

        Assert.Throws<BodyDecodingException>(() => decoder.Decode(garbage, final: true, new ArrayBufferWriter<byte>(), long.MaxValue));
    }

    [Theory]
    [MemberData(nameof(Encoded))]
    public void Encode_ChunkByChunk_FormsOneStream(ContentCoding coding)
    {
        using var encoder = new BodyEncoder(coding);
        using var all = new MemoryStream();
        var parts = Compression.Split(Text, 1000).ToList();

        for (var i = 0; i < parts.Count; i++)
        {
            var encoded = encoder.Encode(parts[i].Span, final: i == parts.Count - 1);
            Assert.True(i == parts.Count - 1 || encoded.Length > 0, "each chunk is flushed so it can go on at once");
            all.Write(encoded);
        }

        Assert.Equal(Text, Compression.Decode(coding, all.ToArray()));
    }

    [Theory]
    [InlineData(null, ContentCoding.Identity)]
    [InlineData("identity", ContentCoding.Identity)]
    [InlineData("GZIP", ContentCoding.Gzip)]
    [InlineData("x-gzip", ContentCoding.Gzip)]
    [InlineData("deflate", ContentCoding.Deflate)]
    [InlineData("br", ContentCoding.Brotli)]
    [InlineData("gzip, identity", ContentCoding.Gzip)]
    [InlineData("deflate, gzip", ContentCoding.Unsupported)]
    [InlineData("zstd", ContentCoding.Unsupported)]
    public void ParseContentEncoding_Value_Coding(string? value, ContentCoding expected) =>
        Assert.Equal(expected, ContentCodings.Parse(value));

    [Theory]
    [InlineData("application/json", BodyKind.Json)]
    [InlineData("Application/JSON; charset=utf-8", BodyKind.Json)]
    [InlineData("application/vnd.api+json", BodyKind.Json)]
    [InlineData("application/json; charset=utf-16", BodyKind.Other)]
    [InlineData("text/event-stream", BodyKind.EventStream)]
    [InlineData("application/x-www-form-urlencoded", BodyKind.Form)]
    [InlineData("text/plain; charset=\"UTF-8\"", BodyKind.Text)]
    [InlineData("application/octet-stream", BodyKind.Other)]
    [InlineData(null, BodyKind.Other)]
    public void ClassifyContentType_Value_Kind(string? value, BodyKind expected) =>
        Assert.Equal(expected, MediaTypes.Classify(value));
}

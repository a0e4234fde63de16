using System.IO.Compression;

namespace EnvoyGovern.ExtProc.Inspection.Bodies;

/// <summary>
/// Encodes a changed body again with its <c>content-encoding</c>. For a streamed body one encoder serves
/// every chunk: each call flushes, so the output of each chunk can be forwarded at once and the chunks
/// together form one valid stream.
/// </summary>
internal sealed class BodyEncoder : IDisposable
{
    private readonly MemoryStream _sink = new();
    private readonly Stream _stream;
    private bool _finished;

    public BodyEncoder(ContentCoding coding)
    {
        _stream = coding switch
        {
            ContentCoding.Gzip => new GZipStream(_sink, CompressionLevel.Fastest, leaveOpen: true),
            ContentCoding.Deflate => new ZLibStream(_sink, CompressionLevel.Fastest, leaveOpen: true),
            ContentCoding.Brotli => new BrotliStream(_sink, CompressionLevel.Fastest, leaveOpen: true),
            _ => throw new InvalidOperationException($"{coding} bodies cannot be encoded"),
        };
    }

    /// <summary>The whole of <paramref name="body"/> encoded.</summary>
    public static byte[] EncodeAll(ContentCoding coding, ReadOnlySpan<byte> body)
    {
        using var encoder = new BodyEncoder(coding);
        return encoder.Encode(body, final: true);
    }

    /// <summary>Encodes the next part of the body; <paramref name="final"/> ends the stream.</summary>
    public byte[] Encode(ReadOnlySpan<byte> data, bool final)
    {
        if (_finished)
        {
            throw new InvalidOperationException("the encoded body already ended");
        }

        _stream.Write(data);
        if (final)
        {
            _finished = true;
            _stream.Dispose();
        }
        else
        {
            _stream.Flush();
        }

        var output = _sink.ToArray();
        _sink.SetLength(0);
        return output;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _sink.Dispose();
    }
}

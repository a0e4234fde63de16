using System.IO.Compression;
using EnvoyGovern.ExtProc.Inspection.Bodies;

namespace EnvoyGovern.Tests.ExtProc.Bodies;

/// <summary>Encodes and decodes test bodies with the framework's codecs (independent of the code under test).</summary>
internal static class Compression
{
    public static byte[] Encode(ContentCoding coding, ReadOnlySpan<byte> data, bool rawDeflate = false)
    {
        using var output = new MemoryStream();
        using (Stream stream = coding switch
        {
            ContentCoding.Gzip => new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true),
            ContentCoding.Deflate when rawDeflate => new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true),
            ContentCoding.Deflate => new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true),
            ContentCoding.Brotli => new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true),
            _ => throw new ArgumentOutOfRangeException(nameof(coding)),
        })
        {
            stream.Write(data);
        }

        return output.ToArray();
    }

    public static byte[] Decode(ContentCoding coding, byte[] data)
    {
        using var input = new MemoryStream(data);
        using Stream stream = coding switch
        {
            ContentCoding.Gzip => new GZipStream(input, CompressionMode.Decompress),
            ContentCoding.Deflate => new ZLibStream(input, CompressionMode.Decompress),
            ContentCoding.Brotli => new BrotliStream(input, CompressionMode.Decompress),
            _ => throw new ArgumentOutOfRangeException(nameof(coding)),
        };
        using var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>A gzip body of <paramref name="decodedBytes"/> zeros: a few KB that inflate a thousandfold.</summary>
    public static byte[] Bomb(long decodedBytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (long written = 0; written < decodedBytes; written += zeros.Length)
            {
                gzip.Write(zeros, 0, (int)Math.Min(zeros.Length, decodedBytes - written));
            }
        }

        return output.ToArray();
    }

    public static IEnumerable<ReadOnlyMemory<byte>> Split(byte[] data, int size)
    {
        for (var i = 0; i < data.Length; i += size)
        {
            yield return data.AsMemory(i, Math.Min(size, data.Length - i));
        }
    }
}

using System.Buffers;
using System.IO.Compression;

namespace EnvoyGovern.ExtProc.Inspection.Bodies;

/// <summary>The decoded body would exceed its limit (a large body, or a decompression bomb).</summary>
internal sealed class BodyLimitExceededException(long limit)
    : Exception($"the body exceeds {limit} bytes once decoded")
{
    public long Limit { get; } = limit;
}

/// <summary>The body does not decode with its <c>content-encoding</c>.</summary>
internal sealed class BodyDecodingException(ContentCoding coding, Exception inner)
    : Exception($"the body is not valid {coding} data: {inner.Message}", inner);

/// <summary>
/// Decodes a gzip, deflate or Brotli body chunk by chunk, as Envoy delivers it. Output is bounded: the
/// decoder stops as soon as a call would produce more than its limit, so a decompression bomb costs at
/// most the limit in memory and the time to inflate that much.
/// </summary>
internal sealed class BodyDecoder(ContentCoding coding) : IDisposable
{
    private const int ReadSize = 16 * 1024;

    private readonly FeedStream _feed = new();
    private Stream? _stream;
    private byte[]? _scratch;

    /// <summary>Decodes <paramref name="input"/>, appending to <paramref name="output"/> while it holds at most <paramref name="limit"/> bytes.</summary>
    public void Decode(ReadOnlyMemory<byte> input, bool final, ArrayBufferWriter<byte> output, long limit)
    {
        _feed.Add(input);
        if (_stream is null && !TryOpen(final))
        {
            return;
        }

        _scratch ??= new byte[ReadSize];
        try
        {
            int read;
            while ((read = _stream!.Read(_scratch, 0, _scratch.Length)) > 0)
            {
                if (output.WrittenCount + (long)read > limit)
                {
                    throw new BodyLimitExceededException(limit);
                }

                output.Write(_scratch.AsSpan(0, read));
            }
        }
        catch (Exception ex) when (ex is InvalidDataException || (ex is InvalidOperationException && coding == ContentCoding.Brotli))
        {
            // BrotliStream reports invalid data as InvalidOperationException.
            throw new BodyDecodingException(coding, ex);
        }
    }

    public void Dispose()
    {
        _stream?.Dispose();
    }

    // Deflate needs its first two bytes to tell zlib (what HTTP specifies) from raw deflate (what some
    // servers send); the other codings open at once.
    private bool TryOpen(bool final)
    {
        switch (coding)
        {
            case ContentCoding.Gzip:
                _stream = new GZipStream(_feed, CompressionMode.Decompress);
                return true;
            case ContentCoding.Brotli:
                _stream = new BrotliStream(_feed, CompressionMode.Decompress);
                return true;
            case ContentCoding.Deflate:
                if (_feed.Available < 2 && !final)
                {
                    return false;
                }

                _stream = _feed.IsZlibHeader()
                    ? new ZLibStream(_feed, CompressionMode.Decompress)
                    : new DeflateStream(_feed, CompressionMode.Decompress);
                return true;
            default:
                throw new InvalidOperationException($"{coding} bodies cannot be decoded");
        }
    }

    /// <summary>
    /// The compressed chunks received so far, read by the decompression stream. A read with nothing
    /// queued returns 0; the decompressors then return what they have and resume when more arrives.
    /// </summary>
    private sealed class FeedStream : Stream
    {
        private readonly Queue<ReadOnlyMemory<byte>> _chunks = new();
        private ReadOnlyMemory<byte> _current;

        public int Available => _current.Length + _chunks.Sum(c => c.Length);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public void Add(ReadOnlyMemory<byte> chunk)
        {
            if (!chunk.IsEmpty)
            {
                _chunks.Enqueue(chunk);
            }
        }

        public bool IsZlibHeader()
        {
            Span<byte> head = stackalloc byte[2];
            var filled = 0;
            if (!_current.IsEmpty)
            {
                filled = Copy(_current.Span, head);
            }

            foreach (var chunk in _chunks)
            {
                if (filled == 2)
                {
                    break;
                }

                filled += Copy(chunk.Span, head[filled..]);
            }

            // RFC 1950: compression method 8, window at most 32 KiB, header checksum a multiple of 31.
            return filled == 2 && (head[0] & 0x0F) == 8 && head[0] >> 4 <= 7 && ((head[0] << 8) | head[1]) % 31 == 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (_current.IsEmpty)
            {
                if (!_chunks.TryDequeue(out _current))
                {
                    return 0;
                }
            }

            var n = Math.Min(buffer.Length, _current.Length);
            _current.Span[..n].CopyTo(buffer);
            _current = _current[n..];
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private static int Copy(ReadOnlySpan<byte> from, Span<byte> to)
        {
            var n = Math.Min(from.Length, to.Length);
            from[..n].CopyTo(to);
            return n;
        }
    }
}

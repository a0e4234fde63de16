using System.Buffers;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.ExtProc.Inspection.Bodies;

/// <summary>
/// What the chain does with one direction's body between Envoy and the inspectors: decodes it, holds
/// chunks back when the inspectors want the whole body (answering them with nothing until the end), and
/// turns the inspectors' replacement into the bytes Envoy forwards, encoded again when the body was.
/// </summary>
internal sealed class BodyPipeline(BodyInfo info) : IDisposable
{
    private static ReadOnlyMemory<byte>? NotChanged => null;

    private readonly ArrayBufferWriter<byte> _decoded = new();
    private ArrayBufferWriter<byte>? _raw;
    private BodyDecoder? _decoder;
    private BodyEncoder? _encoder;
    private bool _held;

    /// <summary>True when the inspectors see the whole body in one call.</summary>
    public bool Whole => info.WholeBody || info.Mode is BodySendMode.Buffered or BodySendMode.BufferedPartial;

    /// <summary>True when chunks were answered empty and the body is forwarded at its end.</summary>
    public bool Held => _held;

    /// <summary>
    /// Takes a chunk; returns what the inspectors are to see, or null when the chunk is held back.
    /// Throws <see cref="BodyLimitExceededException"/> or <see cref="BodyDecodingException"/>.
    /// </summary>
    public ReadOnlyMemory<byte>? Accept(ReadOnlyMemory<byte> chunk, bool endOfBody)
    {
        if (info.Coding == ContentCoding.Identity)
        {
            if (!Whole)
            {
                return chunk;
            }

            if (endOfBody && _decoded.WrittenCount == 0)
            {
                // The whole body in one message (buffered): nothing to copy.
                Check(chunk.Length);
                return chunk;
            }

            Check(_decoded.WrittenCount + (long)chunk.Length);
            _decoded.Write(chunk.Span);
        }
        else
        {
            _decoder ??= new BodyDecoder(info.Coding);
            if (!Whole)
            {
                _decoded.ResetWrittenCount();
            }
            else if (!endOfBody || _held)
            {
                // Held chunks are forwarded as received when nothing changes.
                (_raw ??= new ArrayBufferWriter<byte>()).Write(chunk.Span);
            }

            _decoder.Decode(chunk, endOfBody, _decoded, info.Limit);
            if (!Whole)
            {
                return _decoded.WrittenMemory;
            }
        }

        if (!endOfBody)
        {
            _held = true;
            return null;
        }

        return _decoded.WrittenMemory;
    }

    /// <summary>
    /// The bytes to forward for the chunk just inspected: null to forward it as received, else its
    /// replacement (possibly empty).
    /// </summary>
    public ReadOnlyMemory<byte>? Output(ReadOnlyMemory<byte>? replacement, ReadOnlyMemory<byte> content, bool endOfBody)
    {
        if (info.Coding == ContentCoding.Identity)
        {
            // Explicit: a bare null would convert to an empty ReadOnlyMemory (through byte[]), dropping the chunk.
            return replacement ?? (_held ? content : NotChanged);
        }

        if (Whole)
        {
            if (replacement is { } changed)
            {
                return BodyEncoder.EncodeAll(info.Coding, changed.Span);
            }

            return _held ? _raw!.WrittenMemory : NotChanged;
        }

        if (info.MayChange)
        {
            _encoder ??= new BodyEncoder(info.Coding);
            return _encoder.Encode((replacement ?? content).Span, endOfBody);
        }

        // Earlier chunks went on as received; a changed chunk cannot join that encoded stream.
        return replacement is null
            ? null
            : throw new InvalidOperationException("an inspector changed a streamed encoded body without announcing it on headers (BodyInfo.Require mayChange)");
    }

    public void Dispose()
    {
        _decoder?.Dispose();
        _encoder?.Dispose();
    }

    private void Check(long length)
    {
        if (length > info.Limit)
        {
            throw new BodyLimitExceededException(info.Limit);
        }
    }
}

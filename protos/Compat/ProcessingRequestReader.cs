using System.Text.Unicode;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;

namespace EnvoyGovern.Protos.Compat;

/// <summary>
/// Reads a <see cref="ProcessingRequest"/> from its bytes into a <see cref="ProcessingMessage"/>, the headers messages
/// (every stream's first message) in one pass of its own: no generated message, header names from a small table of
/// names seen before instead of a new string each, header <c>raw_value</c>s as views of the payload instead of a copy
/// each, <c>protocol_config</c> parsed in place. Anything else, or anything this pass does not expect (bodies,
/// trailers, attributes, metadata, unknown fields other than <c>protocol_config</c> or that one twice or not readable
/// by <see cref="ExtProcWire"/>'s span reader, a field twice where the generated parser would merge, a group, a string
/// that is not UTF-8, broken bytes), goes to the generated parser, so the result and the errors are the generated
/// parser's.
/// </summary>
public static class ProcessingRequestReader
{
    private const int RequestHeadersField = 2;
    private const int ResponseHeadersField = 3;
    private const int ObservabilityModeField = 10;
    private const int ProtocolConfigField = 11;

    /// <summary>
    /// Reads <paramref name="payload"/>, which must stay unchanged while the result is in use: header
    /// <c>raw_value</c>s are views of it.
    /// </summary>
    public static ProcessingMessage Read(byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return TryRead(payload) ?? new ProcessingMessage(ProcessingRequest.Parser.ParseFrom(payload));
    }

    // Null where the generated parser must decide.
    private static ProcessingMessage? TryRead(byte[] payload)
    {
        HeaderMap? headers = null;
        var endOfStream = false;
        var headersCase = ProcessingRequest.RequestOneofCase.None;
        var observabilityMode = false;
        ProtocolConfiguration? config = null;
        var configs = 0;
        var reader = new WireReader(payload);
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadField(out var field, out var wireType, out var inner, out var varint))
            {
                return null;
            }

            switch (field)
            {
                case RequestHeadersField or ResponseHeadersField when wireType == WireReader.LengthDelimited
                    && headersCase == ProcessingRequest.RequestOneofCase.None:
                    if (!ReadHeaders(payload, inner, out headers, out endOfStream))
                    {
                        return null;
                    }

                    headersCase = field == RequestHeadersField
                        ? ProcessingRequest.RequestOneofCase.RequestHeaders
                        : ProcessingRequest.RequestOneofCase.ResponseHeaders;
                    break;
                case ObservabilityModeField when wireType == WireReader.Varint:
                    observabilityMode = varint != 0;
                    break;
                case ProtocolConfigField when wireType == WireReader.LengthDelimited && configs++ == 0:
                    // Unknown to the pinned protos: the session needs only its modes.
                    if (!ExtProcWire.TryReadProtocolConfig(payload, inner, out config))
                    {
                        return null;
                    }

                    break;
                default:
                    return null;
            }
        }

        // No oneof field: the generated message, whose empty case the session refuses.
        return headersCase == ProcessingRequest.RequestOneofCase.None
            ? null
            : new ProcessingMessage(headersCase, headers, endOfStream, observabilityMode, config);
    }

    // Not into an HttpHeaders: that allocates its deprecated attributes map (~140 B) for nothing.
    private static bool ReadHeaders(byte[] payload, WireRange range, out HeaderMap? headers, out bool endOfStream)
    {
        headers = null;
        endOfStream = false;
        var reader = new WireReader(payload, range);
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadField(out var field, out var wireType, out var inner, out var varint))
            {
                return false;
            }

            if (field == HttpHeaders.HeadersFieldNumber && wireType == WireReader.LengthDelimited && headers is null)
            {
                headers = ReadHeaderMap(payload, inner);
                if (headers is null)
                {
                    return false;
                }
            }
            else if (field == HttpHeaders.EndOfStreamFieldNumber && wireType == WireReader.Varint)
            {
                endOfStream = varint != 0;
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    private static HeaderMap? ReadHeaderMap(byte[] payload, WireRange range)
    {
        var map = new HeaderMap();
        var reader = new WireReader(payload, range);
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadField(out var field, out var wireType, out var inner, out _)
                || field != HeaderMap.HeadersFieldNumber || wireType != WireReader.LengthDelimited)
            {
                return null;
            }

            if (ReadHeaderValue(payload, inner) is not { } header)
            {
                return null;
            }

            map.Headers.Add(header);
        }

        return map;
    }

    private static HeaderValue? ReadHeaderValue(byte[] payload, WireRange range)
    {
        var header = new HeaderValue();
        var reader = new WireReader(payload, range);
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadField(out var field, out var wireType, out var inner, out _)
                || wireType != WireReader.LengthDelimited)
            {
                return null;
            }

            var bytes = reader.Slice(inner);
            switch (field)
            {
                // A field twice: the last wins, as in the generated parser.
                case HeaderValue.KeyFieldNumber:
                    if (HeaderNames.Get(bytes) is not { } key)
                    {
                        return null;
                    }

                    header.Key = key;
                    break;
                case HeaderValue.ValueFieldNumber when Utf8.IsValid(bytes):
                    header.Value = bytes.IsEmpty ? string.Empty : System.Text.Encoding.UTF8.GetString(bytes);
                    break;
                case HeaderValue.RawValueFieldNumber:
                    header.RawValue = inner.IsEmpty ? ByteString.Empty : UnsafeByteOperations.UnsafeWrap(payload.AsMemory(inner.Start, inner.Length));
                    break;
                default:
                    return null;
            }
        }

        return header;
    }
}

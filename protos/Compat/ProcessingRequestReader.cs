using System.Text.Unicode;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;

namespace EnvoyGovern.Protos.Compat;

/// <summary>
/// Reads a <see cref="ProcessingRequest"/> from its bytes, the headers messages (every stream's first message) in one
/// pass of its own: header names from a small table of names seen before instead of a new string each, header
/// <c>raw_value</c>s as views of the payload instead of a copy each. Anything else, or anything this pass does not
/// expect (bodies, trailers, attributes, metadata, unknown fields other than <c>protocol_config</c>, a field twice
/// where the generated parser would merge, a group, a string that is not UTF-8, broken bytes), goes to the generated
/// parser, so the result and the errors are the generated parser's.
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
    public static ProcessingRequest Read(byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return TryRead(payload) ?? ProcessingRequest.Parser.ParseFrom(payload);
    }

    // Null where the generated parser must decide.
    private static ProcessingRequest? TryRead(byte[] payload)
    {
        var request = new ProcessingRequest();
        ReadOnlySpan<byte> rest = payload;
        var configs = 0;
        while (!rest.IsEmpty)
        {
            var start = payload.Length - rest.Length;
            if (!ProtoSpan.TryField(ref rest, out var field, out var wireType, out var inner, out var varint))
            {
                return null;
            }

            switch (field)
            {
                case RequestHeadersField or ResponseHeadersField when wireType == WireFormat.WireType.LengthDelimited
                    && request.RequestCase == ProcessingRequest.RequestOneofCase.None:
                    var offset = payload.Length - rest.Length - inner.Length;
                    if (ReadHeaders(payload, offset, inner.Length) is not { } headers)
                    {
                        return null;
                    }

                    if (field == RequestHeadersField)
                    {
                        request.RequestHeaders = headers;
                    }
                    else
                    {
                        request.ResponseHeaders = headers;
                    }

                    break;
                case ObservabilityModeField when wireType == WireFormat.WireType.Varint:
                    request.ObservabilityMode = varint != 0;
                    break;
                case ProtocolConfigField when wireType == WireFormat.WireType.LengthDelimited && configs++ == 0:
                    // Unknown to the pinned protos: kept among the unknown fields, where the generated parser keeps it.
                    request.MergeFrom(payload.AsSpan(start, payload.Length - rest.Length - start));
                    break;
                default:
                    return null;
            }
        }

        return request;
    }

    private static HttpHeaders? ReadHeaders(byte[] payload, int offset, int length)
    {
        var headers = new HttpHeaders();
        ReadOnlySpan<byte> rest = payload.AsSpan(offset, length);
        while (!rest.IsEmpty)
        {
            if (!ProtoSpan.TryField(ref rest, out var field, out var wireType, out var inner, out var varint))
            {
                return null;
            }

            if (field == HttpHeaders.HeadersFieldNumber && wireType == WireFormat.WireType.LengthDelimited && headers.Headers is null)
            {
                var at = offset + length - rest.Length - inner.Length;
                if (ReadHeaderMap(payload, at, inner.Length) is not { } map)
                {
                    return null;
                }

                headers.Headers = map;
            }
            else if (field == HttpHeaders.EndOfStreamFieldNumber && wireType == WireFormat.WireType.Varint)
            {
                headers.EndOfStream = varint != 0;
            }
            else
            {
                return null;
            }
        }

        return headers;
    }

    private static HeaderMap? ReadHeaderMap(byte[] payload, int offset, int length)
    {
        var map = new HeaderMap();
        ReadOnlySpan<byte> rest = payload.AsSpan(offset, length);
        while (!rest.IsEmpty)
        {
            if (!ProtoSpan.TryField(ref rest, out var field, out var wireType, out var inner, out _)
                || field != HeaderMap.HeadersFieldNumber || wireType != WireFormat.WireType.LengthDelimited)
            {
                return null;
            }

            var at = offset + length - rest.Length - inner.Length;
            if (ReadHeaderValue(payload, at, inner.Length) is not { } header)
            {
                return null;
            }

            map.Headers.Add(header);
        }

        return map;
    }

    private static HeaderValue? ReadHeaderValue(byte[] payload, int offset, int length)
    {
        var header = new HeaderValue();
        ReadOnlySpan<byte> rest = payload.AsSpan(offset, length);
        while (!rest.IsEmpty)
        {
            if (!ProtoSpan.TryField(ref rest, out var field, out var wireType, out var inner, out _)
                || wireType != WireFormat.WireType.LengthDelimited)
            {
                return null;
            }

            switch (field)
            {
                // A field twice: the last wins, as in the generated parser.
                case HeaderValue.KeyFieldNumber:
                    if (HeaderNames.Get(inner) is not { } key)
                    {
                        return null;
                    }

                    header.Key = key;
                    break;
                case HeaderValue.ValueFieldNumber when Utf8.IsValid(inner):
                    header.Value = inner.IsEmpty ? string.Empty : System.Text.Encoding.UTF8.GetString(inner);
                    break;
                case HeaderValue.RawValueFieldNumber:
                    var at = offset + length - rest.Length - inner.Length;
                    header.RawValue = inner.IsEmpty ? ByteString.Empty : UnsafeByteOperations.UnsafeWrap(payload.AsMemory(at, inner.Length));
                    break;
                default:
                    return null;
            }
        }

        return header;
    }
}

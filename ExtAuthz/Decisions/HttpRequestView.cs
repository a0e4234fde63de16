using System.Text;
using EnvoyGovern.ExtAuthz.Decisions.Wire;

namespace EnvoyGovern.ExtAuthz.Decisions;

/// <summary>
/// <c>attributes.request.http</c> of a CheckRequest, over the request's bytes: each string is decoded when first
/// read, a header only when it is looked up (the reader has checked that every string is UTF-8; a <c>raw_value</c>,
/// bytes, is decoded as Google.Protobuf's <c>ToStringUtf8</c> decodes it: invalid bytes replaced).
/// Filled by <see cref="CheckRequestReader"/>; read by one Check at a time.
/// </summary>
public sealed class HttpRequestView
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT"];
    private static readonly string[] Schemes = ["https", "http"];
    private static readonly string[] Protocols = ["HTTP/1.1", "HTTP/2", "HTTP/1.0", "HTTP/3"];

    private readonly byte[] _payload;
    private string? _id, _method, _path, _host, _scheme, _query, _fragment, _protocol, _body;

    internal HttpRequestView(byte[] payload) => _payload = payload;

    internal WireRange IdField { get; set; }

    internal WireRange MethodField { get; set; }

    internal WireRange PathField { get; set; }

    internal WireRange HostField { get; set; }

    internal WireRange SchemeField { get; set; }

    internal WireRange QueryField { get; set; }

    internal WireRange FragmentField { get; set; }

    internal WireRange ProtocolField { get; set; }

    internal WireRange BodyField { get; set; }

    internal WireRange RawBodyField { get; set; }

    /// <summary>The <c>headers</c> map's entries in wire order (a repeated key: the last one counts, as in a map).</summary>
    internal HeaderEntry[] Headers { get; set; } = [];

    /// <summary><c>header_map</c>'s entries in wire order, the value being <c>raw_value</c> when set, else <c>value</c>.</summary>
    internal HeaderEntry[]? HeaderMap { get; set; }

    /// <summary>Envoy's stream id.</summary>
    public string Id => _id ??= Decode(IdField);

    /// <summary>The request method.</summary>
    public string Method => _method ??= Decode(MethodField, Methods);

    /// <summary>The raw request target, query string included.</summary>
    public string Path => _path ??= Decode(PathField);

    /// <summary>The authority (<c>:authority</c>).</summary>
    public string Host => _host ??= Decode(HostField);

    /// <summary>The URL scheme.</summary>
    public string Scheme => _scheme ??= Decode(SchemeField, Schemes);

    /// <summary><c>query</c> (Envoy leaves it empty: the query is in <see cref="Path"/>).</summary>
    public string Query => _query ??= Decode(QueryField);

    /// <summary><c>fragment</c> (Envoy leaves it empty).</summary>
    public string Fragment => _fragment ??= Decode(FragmentField);

    /// <summary>"HTTP/1.1", "HTTP/2" ...</summary>
    public string Protocol => _protocol ??= Decode(ProtocolField, Protocols);

    /// <summary>The request body's size as Envoy reports it (-1 when unknown).</summary>
    public long Size { get; internal set; }

    /// <summary><c>body</c>: the buffered body as text (<c>with_request_body</c> without <c>pack_as_bytes</c>).</summary>
    public string Body => _body ??= Decode(BodyField);

    /// <summary><see cref="Body"/> as UTF-8: its bytes on the wire (checked to be UTF-8 when the request was read).</summary>
    public ReadOnlySpan<byte> BodyUtf8 => Span(BodyField);

    /// <summary><c>raw_body</c>: the buffered body as bytes (<c>pack_as_bytes</c>).</summary>
    public ReadOnlySpan<byte> RawBody => Span(RawBodyField);

    /// <summary>True when Envoy sent <c>header_map</c> (<c>encode_raw_headers</c>).</summary>
    public bool HasHeaderMap => HeaderMap is not null;

    /// <summary>
    /// A request header by its lower-case name, from <c>headers</c> or, when Envoy is set to
    /// <c>encode_raw_headers</c>, from <c>header_map</c> (repeated headers joined with a comma, as Envoy does).
    /// </summary>
    public string? GetHeader(string lowerCaseName)
    {
        ArgumentNullException.ThrowIfNull(lowerCaseName);
        var ascii = Ascii.IsValid(lowerCaseName);
        if (FindInHeaders(lowerCaseName, ascii) is var found and >= 0)
        {
            return Decode(Headers[found].Value);
        }

        if (HeaderMap is not { } map)
        {
            return null;
        }

        string? joined = null;
        foreach (var header in map)
        {
            if (KeyEquals(header.Key, lowerCaseName, ascii))
            {
                var text = Decode(header.Value);
                joined = joined is null ? text : $"{joined},{text}";
            }
        }

        return joined;
    }

    /// <summary>
    /// A header of the <c>headers</c> map as its UTF-8 bytes on the wire (checked to be UTF-8 when the request was read):
    /// what <see cref="GetHeader"/> decodes, without a string. Only when Envoy sent no <c>header_map</c> (whose values
    /// are joined and may be raw bytes): then use <see cref="GetHeader"/>.
    /// </summary>
    internal bool TryGetHeaderUtf8(string lowerCaseName, out ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(lowerCaseName);
        if (HeaderMap is not null)
        {
            throw new InvalidOperationException("header_map values are read with GetHeader");
        }

        var found = FindInHeaders(lowerCaseName, Ascii.IsValid(lowerCaseName));
        value = found >= 0 ? Span(Headers[found].Value) : default;
        return found >= 0;
    }

    /// <summary><see cref="Id"/> as its UTF-8 bytes on the wire.</summary>
    internal ReadOnlySpan<byte> IdUtf8 => Span(IdField);

    // The last entry of the headers map with that name (a repeated key: the last one counts), or -1.
    private int FindInHeaders(string lowerCaseName, bool ascii)
    {
        var headers = Headers;
        for (var i = headers.Length - 1; i >= 0; i--)
        {
            if (KeyEquals(headers[i].Key, lowerCaseName, ascii))
            {
                return i;
            }
        }

        return -1;
    }

    // An ASCII name equals the key's bytes exactly when it equals their decoding (a non-ASCII byte decodes to a
    // non-ASCII char). Any other name (a lone surrogate has no UTF-8 form) is compared with the decoded key.
    private bool KeyEquals(WireRange key, string name, bool ascii) =>
        ascii ? key.Length == name.Length && Ascii.Equals(Span(key), name) : string.Equals(Decode(key), name, StringComparison.Ordinal);

    private ReadOnlySpan<byte> Span(WireRange range) => _payload.AsSpan(range.Start, range.Length);

    private string Decode(WireRange range) => range.IsEmpty ? string.Empty : Encoding.UTF8.GetString(Span(range));

    // The usual values come from a table: no string per Check for them.
    private string Decode(WireRange range, string[] known)
    {
        var bytes = Span(range);
        foreach (var candidate in known)
        {
            if (candidate.Length == bytes.Length && Ascii.Equals(bytes, candidate))
            {
                return candidate;
            }
        }

        return Decode(range);
    }
}

/// <summary>One header's name and value in the payload.</summary>
internal readonly record struct HeaderEntry(WireRange Key, WireRange Value);

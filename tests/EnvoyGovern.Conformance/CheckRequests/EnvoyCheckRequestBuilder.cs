using System.Text;
using Envoy.Config.Core.V3;
using Envoy.Service.Auth.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using HttpRequest = Envoy.Service.Auth.V3.AttributeContext.Types.HttpRequest;

namespace EnvoyGovern.Conformance.CheckRequests;

/// <summary>
/// Builds a <see cref="CheckRequest"/> the way Envoy's ext_authz filter does
/// (<c>CheckRequestUtils::createHttpCheck</c>). Defaults: <c>GET /</c> on <c>example.com</c>, HTTP/2,
/// https, from 127.0.0.1.
/// </summary>
public sealed class EnvoyCheckRequestBuilder
{
    private readonly List<KeyValuePair<string, string>> _headers = [];
    private readonly Dictionary<string, string> _contextExtensions = [];
    private string _method = "GET";
    private string _path = "/";
    private string _authority = "example.com";
    private string _scheme = "https";
    private string _protocol = "HTTP/2";
    private string _id = "10813414839837358339";
    private bool _rawHeaders;
    private byte[]? _body;
    private bool _packAsBytes;
    private bool _partialBody;
    private long? _contentLength;
    private SocketAddress _source = Socket("127.0.0.1", 54321);
    private SocketAddress _destination = Socket("127.0.0.1", 8080);
    private string? _principal;
    private string? _sni;
    private Metadata? _metadata;

    /// <summary>Sets <c>:method</c>.</summary>
    public EnvoyCheckRequestBuilder Method(string method) { _method = method; return this; }

    /// <summary>Sets <c>:path</c>: the raw request target, query string included, not decoded.</summary>
    public EnvoyCheckRequestBuilder Path(string rawTarget) { _path = rawTarget; return this; }

    /// <summary>Sets <c>:authority</c>, which Envoy also reports as <c>host</c>.</summary>
    public EnvoyCheckRequestBuilder Authority(string authority) { _authority = authority; return this; }

    /// <summary>Sets <c>:scheme</c>.</summary>
    public EnvoyCheckRequestBuilder Scheme(string scheme) { _scheme = scheme; return this; }

    /// <summary>Uses "HTTP/1.1" instead of "HTTP/2".</summary>
    public EnvoyCheckRequestBuilder Http11() { _protocol = "HTTP/1.1"; return this; }

    /// <summary>Sets the request id (Envoy's stream id, a decimal number).</summary>
    public EnvoyCheckRequestBuilder RequestId(string id) { _id = id; return this; }

    /// <summary>Adds a request header; the name is lower-cased, repeats are kept.</summary>
    public EnvoyCheckRequestBuilder Header(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        _headers.Add(new(name.ToLowerInvariant(), value));
        if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase) && long.TryParse(value, out var length))
        {
            _contentLength = length;
        }

        return this;
    }

    /// <summary>Fills <c>header_map</c> (raw bytes, repeats apart) instead of <c>headers</c> (<c>encode_raw_headers</c>).</summary>
    public EnvoyCheckRequestBuilder EncodeRawHeaders() { _rawHeaders = true; return this; }

    /// <summary>
    /// The buffered body (<c>with_request_body</c>): up to <c>max_request_bytes</c>, in <c>raw_body</c>
    /// when <paramref name="packAsBytes"/>, else in <c>body</c>; adds <c>x-envoy-auth-partial-body</c>.
    /// </summary>
    public EnvoyCheckRequestBuilder Body(byte[] body, bool packAsBytes = false, bool partial = false)
    {
        _body = body;
        _packAsBytes = packAsBytes;
        _partialBody = partial;
        return this;
    }

    /// <summary>Sets the downstream peer address (the socket, never X-Forwarded-For).</summary>
    public EnvoyCheckRequestBuilder Source(string address, uint port) { _source = Socket(address, port); return this; }

    /// <summary>Sets the local (listener) address.</summary>
    public EnvoyCheckRequestBuilder Destination(string address, uint port) { _destination = Socket(address, port); return this; }

    /// <summary>Sets <c>source.principal</c> (peer certificate URI SAN, else DNS SAN, else subject; mTLS only).</summary>
    public EnvoyCheckRequestBuilder Principal(string principal) { _principal = principal; return this; }

    /// <summary>Adds a per-route <c>context_extensions</c> entry.</summary>
    public EnvoyCheckRequestBuilder ContextExtension(string key, string value) { _contextExtensions[key] = value; return this; }

    /// <summary>Sets <c>tls_session.sni</c> (with <c>include_tls_session</c>).</summary>
    public EnvoyCheckRequestBuilder Sni(string sni) { _sni = sni; return this; }

    /// <summary>Sets <c>metadata_context</c> (forwarded filter metadata, e.g. from jwt_authn).</summary>
    public EnvoyCheckRequestBuilder MetadataContext(Metadata metadata) { _metadata = metadata; return this; }

    /// <summary>Builds the request.</summary>
    public CheckRequest Build()
    {
        var http = new HttpRequest
        {
            Id = _id,
            Method = _method,
            Path = _path,
            Host = _authority,
            Scheme = _scheme,
            Protocol = _protocol,
            Size = _body?.Length ?? _contentLength ?? -1,
            Query = string.Empty,
            Fragment = string.Empty,
        };
        if (_body is not null)
        {
            SetBody(http, _body);
        }

        FillHeaders(http);
        var attributes = new AttributeContext
        {
            Source = new AttributeContext.Types.Peer { Address = new Address { SocketAddress = _source }, Principal = _principal ?? string.Empty },
            Destination = new AttributeContext.Types.Peer { Address = new Address { SocketAddress = _destination } },
            Request = new AttributeContext.Types.Request { Time = Timestamp.FromDateTime(DateTime.UtcNow), Http = http },
            MetadataContext = _metadata,
        };
        attributes.ContextExtensions.Add(_contextExtensions);
        if (_sni is not null)
        {
            attributes.TlsSession = new AttributeContext.Types.TLSSession { Sni = _sni };
        }

        return new CheckRequest { Attributes = attributes };
    }

    private void SetBody(HttpRequest http, byte[] body)
    {
        if (_packAsBytes)
        {
            http.RawBody = ByteString.CopyFrom(body);
        }
        else
        {
            http.Body = Encoding.UTF8.GetString(body);
        }
    }

    private void FillHeaders(HttpRequest http)
    {
        var all = new List<KeyValuePair<string, string>>
        {
            new(":authority", _authority), new(":path", _path), new(":method", _method), new(":scheme", _scheme),
        };
        all.AddRange(_headers);
        if (_body is not null)
        {
            all.Add(new("x-envoy-auth-partial-body", _partialBody ? "true" : "false"));
        }

        if (_rawHeaders)
        {
            http.HeaderMap = new HeaderMap();
            http.HeaderMap.Headers.AddRange(all.Select(h => new HeaderValue { Key = h.Key, RawValue = ByteString.CopyFromUtf8(h.Value) }));
            return;
        }

        foreach (var group in all.GroupBy(h => h.Key, StringComparer.Ordinal))
        {
            http.Headers[group.Key] = string.Join(',', group.Select(h => h.Value));
        }
    }

    private static SocketAddress Socket(string address, uint port) => new() { Address = address, PortValue = port };
}

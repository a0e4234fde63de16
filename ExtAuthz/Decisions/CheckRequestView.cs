using System.Collections.Frozen;
using System.Text;
using Envoy.Config.Core.V3;
using Envoy.Service.Auth.V3;
using EnvoyGovern.ExtAuthz.Decisions.Wire;
using Google.Protobuf;

namespace EnvoyGovern.ExtAuthz.Decisions;

/// <summary>
/// An ext_authz CheckRequest as the decision and its audit record read it: the fields they use, found in the
/// request's bytes by one pass of <see cref="CheckRequestReader"/> and decoded when first read. The generated
/// parser built a map of every header and a string for each name and value (about 6.8 KB per Check); here a
/// header nobody looks up stays bytes. The whole request is checked as strictly as Google.Protobuf checks it.
/// </summary>
public sealed class CheckRequestView
{
    private static readonly IReadOnlyDictionary<string, string> NoExtensions = FrozenDictionary<string, string>.Empty;

    private readonly byte[] _payload;
    private string? _sourceAddress, _sourcePrincipal, _sourceCertificate, _tlsSni;

    internal CheckRequestView(byte[] payload) => _payload = payload;

    /// <summary>
    /// Reads a serialized CheckRequest; the view keeps <paramref name="payload"/>, which must not change afterwards.
    /// Throws <see cref="InvalidCheckRequestException"/> for bytes that are not one.
    /// </summary>
    public static CheckRequestView Parse(byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return CheckRequestReader.Read(payload);
    }

    /// <summary>The view of a request built in code (tests, the policy test runner): its bytes, read as the service reads them.</summary>
    public static CheckRequestView From(CheckRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Parse(request.ToByteArray());
    }

    /// <summary>The request's bytes as they arrived.</summary>
    public ReadOnlyMemory<byte> Payload => _payload;

    /// <summary><c>attributes.request.http</c>; null when the request has none (not an HTTP ext_authz request).</summary>
    public HttpRequestView? Http { get; internal set; }

    /// <summary><c>attributes.source.address.socket_address.address</c>; null when the source has no socket address.</summary>
    public string? SourceAddress => Source.HasSocket ? _sourceAddress ??= Decode(Source.Address) : null;

    /// <summary><c>attributes.source.address.socket_address.port_value</c> (0 without one).</summary>
    public uint SourcePort => Source.HasSocket ? Source.Port : 0;

    /// <summary><c>attributes.source.principal</c>: the peer certificate's URI SAN, DNS SAN or subject (mTLS only); empty without.</summary>
    public string SourcePrincipal => _sourcePrincipal ??= Decode(Source.Principal);

    /// <summary><c>attributes.source.certificate</c>: the URL-encoded PEM peer certificate (<c>include_peer_certificate</c>); empty without.</summary>
    public string SourceCertificate => _sourceCertificate ??= Decode(Source.Certificate);

    /// <summary><c>attributes.tls_session.sni</c>; empty without.</summary>
    public string TlsSni => _tlsSni ??= Decode(TlsSniField);

    /// <summary><c>attributes.context_extensions</c>: the route's settings.</summary>
    public IReadOnlyDictionary<string, string> ContextExtensions => Extensions ?? NoExtensions;

    /// <summary><c>attributes.metadata_context</c> (filter metadata, e.g. jwt_authn's payload); null when absent.</summary>
    public Metadata? MetadataContext { get; internal set; }

    /// <summary><c>attributes.route_metadata_context</c>; null when absent.</summary>
    public Metadata? RouteMetadataContext { get; internal set; }

    internal PeerFields Source;

    internal WireRange TlsSniField { get; set; }

    internal Dictionary<string, string>? Extensions { get; set; }

    internal string Decode(WireRange range) => range.IsEmpty ? string.Empty : Encoding.UTF8.GetString(_payload, range.Start, range.Length);
}

/// <summary>What the view keeps of an <c>AttributeContext.Peer</c>.</summary>
internal struct PeerFields
{
    /// <summary>True when <c>address</c>'s oneof holds a socket address (a later pipe or internal address clears it).</summary>
    public bool HasSocket;

    public WireRange Address;

    /// <summary><c>port_value</c>, 0 when the port oneof last held <c>named_port</c>.</summary>
    public uint Port;

    public WireRange Principal;

    public WireRange Certificate;
}

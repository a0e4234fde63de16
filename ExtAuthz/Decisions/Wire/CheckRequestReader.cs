using Envoy.Config.Core.V3;
using EnvoyGovern.Protos.Compat;
using Google.Protobuf;

namespace EnvoyGovern.ExtAuthz.Decisions.Wire;

/// <summary>
/// Reads a serialized <c>envoy.service.auth.v3.CheckRequest</c> into a <see cref="CheckRequestView"/> in one pass:
/// the fields the decision and the audit record read are located (not decoded), every other field is stepped over
/// by its wire type. Protobuf's rules hold as in the generated parser: the last value of a field wins, a message
/// field seen twice is merged, a oneof member replaces the other, a map's repeated key keeps its last value, a known
/// field with another wire type is an unknown field; and what the generated parser rejects is rejected (broken
/// framing, a string field that is not UTF-8), including inside the messages nobody reads here (destination, time,
/// labels, pipes).
/// </summary>
internal static class CheckRequestReader
{
    private const uint Field1Message = (1 << 3) | WireReader.LengthDelimited;
    private const uint Field2Message = (2 << 3) | WireReader.LengthDelimited;
    private const uint Field3Message = (3 << 3) | WireReader.LengthDelimited;

    [ThreadStatic]
    private static HeaderLists? _lists;

    public static CheckRequestView Read(byte[] payload)
    {
        try
        {
            return ReadFields(payload);
        }
        catch (MalformedWireException ex)
        {
            throw new InvalidCheckRequestException($"the CheckRequest is not valid protobuf: {ex.Message}", ex);
        }
    }

    private static CheckRequestView ReadFields(byte[] payload)
    {
        var lists = _lists ??= new HeaderLists();
        lists.Clear();
        var request = new CheckRequestView(payload);
        var reader = new WireReader(payload);
        uint tag;
        while ((tag = reader.ReadTag()) != 0)
        {
            if (tag == Field1Message)
            {
                ReadAttributes(ref reader, payload, request, lists);
            }
            else
            {
                reader.SkipField(tag);
            }
        }

        if (request.Http is { } http)
        {
            http.Headers = lists.Headers.ToArray();
            http.HeaderMap = lists.HasHeaderMap ? lists.HeaderMap.ToArray() : null;
        }

        return request;
    }

    private static void ReadAttributes(ref WireReader reader, byte[] payload, CheckRequestView request, HeaderLists lists)
    {
        var outer = reader.EnterMessage();
        uint tag;
        while ((tag = reader.ReadTag()) != 0)
        {
            switch (tag)
            {
                case Field1Message:
                    ReadPeer(ref reader, ref request.Source);
                    break;
                case Field2Message:
                    // The destination: read for its framing, nothing kept.
                    PeerFields destination = default;
                    ReadPeer(ref reader, ref destination);
                    break;
                case (4 << 3) | WireReader.LengthDelimited:
                    ReadRequest(ref reader, payload, request, lists);
                    break;
                case (10 << 3) | WireReader.LengthDelimited:
                    ReadExtension(ref reader, request);
                    break;
                case (11 << 3) | WireReader.LengthDelimited:
                    request.MetadataContext = ReadMetadata(ref reader, payload, request.MetadataContext);
                    break;
                case (12 << 3) | WireReader.LengthDelimited:
                    ReadTlsSession(ref reader, request);
                    break;
                case (13 << 3) | WireReader.LengthDelimited:
                    request.RouteMetadataContext = ReadMetadata(ref reader, payload, request.RouteMetadataContext);
                    break;
                default:
                    reader.SkipField(tag);
                    break;
            }
        }

        reader.LeaveMessage(outer);
    }

    private static void ReadPeer(ref WireReader reader, ref PeerFields peer)
    {
        var outer = reader.EnterMessage();
        uint tag;
        while ((tag = reader.ReadTag()) != 0)
        {
            switch (tag)
            {
                case Field1Message:
                    ReadAddress(ref reader, ref peer);
                    break;
                case Field2Message:
                    // service: read only for its UTF-8.
                    _ = reader.ReadString();
                    break;
                case Field3Message:
                    _ = ReadMapEntry(ref reader);
                    break;
                case (4 << 3) | WireReader.LengthDelimited:
                    peer.Principal = reader.ReadString();
                    break;
                case (5 << 3) | WireReader.LengthDelimited:
                    peer.Certificate = reader.ReadString();
                    break;
                default:
                    reader.SkipField(tag);
                    break;
            }
        }

        reader.LeaveMessage(outer);
    }

    // Address is a oneof (socket_address, pipe, envoy_internal_address): a member merges into itself, replaces the others.
    private static void ReadAddress(ref WireReader reader, ref PeerFields peer)
    {
        var outer = reader.EnterMessage();
        uint tag;
        while ((tag = reader.ReadTag()) != 0)
        {
            switch (tag)
            {
                case Field1Message:
                    if (!peer.HasSocket)
                    {
                        (peer.HasSocket, peer.Address, peer.Port) = (true, default, 0);
                    }

                    ReadSocketAddress(ref reader, ref peer);
                    break;
                case Field2Message:
                    // Pipe: path (a string), mode.
                    reader.SkipScalarMessage(1u << 1);
                    (peer.HasSocket, peer.Address, peer.Port) = (false, default, 0);
                    break;
                case Field3Message:
                    // EnvoyInternalAddress: server_listener_name, endpoint_id (strings).
                    reader.SkipScalarMessage((1u << 1) | (1u << 2));
                    (peer.HasSocket, peer.Address, peer.Port) = (false, default, 0);
                    break;
                default:
                    reader.SkipField(tag);
                    break;
            }
        }

        reader.LeaveMessage(outer);
    }

    private static void ReadSocketAddress(ref WireReader reader, ref PeerFields peer)
    {
        var outer = reader.EnterMessage();
        uint tag;
        while ((tag = reader.ReadTag()) != 0)
        {
            switch (tag)
            {
                case Field2Message:
                    peer.Address = reader.ReadString();
                    break;
                case (3 << 3) | WireReader.Varint:
                    peer.Port = reader.ReadVarint32();
                    break;
                case (4 << 3) | WireReader.LengthDelimited:
                    // named_port: the other member of the port oneof, so port_value reads 0 from here on.
                    _ = reader.ReadString();
                    peer.Port = 0;
                    break;
                case (5 << 3) | WireReader.LengthDelimited:
                    // resolver_name: read only for its UTF-8.
                    _ = reader.ReadString();
                    break;
                default:
                    reader.SkipField(tag);
                    break;
            }
        }

        reader.LeaveMessage(outer);
    }

    private static void ReadExtension(ref WireReader reader, CheckRequestView request)
    {
        var (key, value) = ReadMapEntry(ref reader);
        (request.Extensions ??= new(StringComparer.Ordinal))[request.Decode(key)] = request.Decode(value);
    }

    private static void ReadRequest(ref WireReader reader, byte[] payload, CheckRequestView request, HeaderLists lists)
    {
        var outer = reader.EnterMessage();
        uint tag;
        while ((tag = reader.ReadTag()) != 0)
        {
            switch (tag)
            {
                case Field1Message:
                    // time: a Timestamp, no strings.
                    reader.SkipScalarMessage(0);
                    break;
                case Field2Message:
                    HttpRequestReader.Read(ref reader, request.Http ??= new HttpRequestView(payload), lists);
                    break;
                default:
                    reader.SkipField(tag);
                    break;
            }
        }

        reader.LeaveMessage(outer);
    }

    private static void ReadTlsSession(ref WireReader reader, CheckRequestView request)
    {
        var outer = reader.EnterMessage();
        uint tag;
        while ((tag = reader.ReadTag()) != 0)
        {
            if (tag == Field1Message)
            {
                request.TlsSniField = reader.ReadString();
            }
            else
            {
                reader.SkipField(tag);
            }
        }

        reader.LeaveMessage(outer);
    }

    /// <summary>A <c>map&lt;string, string&gt;</c> entry: its key and value (empty when missing).</summary>
    internal static (WireRange Key, WireRange Value) ReadMapEntry(ref WireReader reader)
    {
        var outer = reader.EnterMessage();
        WireRange key = default, value = default;
        uint tag;
        while ((tag = reader.ReadTag()) != 0)
        {
            switch (tag)
            {
                case Field1Message:
                    key = reader.ReadString();
                    break;
                case Field2Message:
                    value = reader.ReadString();
                    break;
                default:
                    reader.SkipField(tag, inMapEntry: true);
                    break;
            }
        }

        reader.LeaveMessage(outer);
        return (key, value);
    }

    // Present only when a route or Envoy's configuration asks for it: read by the generated parser, with the nesting
    // it has left at this depth, and merged into an earlier occurrence as the generated parser merges it.
    private static Metadata ReadMetadata(ref WireReader reader, byte[] payload, Metadata? earlier)
    {
        var range = reader.ReadRange();
        Metadata read;
        try
        {
            using var input = CodedInputStream.CreateWithLimits(
                new MemoryStream(payload, range.Start, range.Length, writable: false),
                int.MaxValue,
                WireReader.RecursionLimit - reader.Depth - 1);
            read = Metadata.Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidCheckRequestException($"the CheckRequest is not valid protobuf: {ex.Message}", ex);
        }

        if (earlier is null)
        {
            return read;
        }

        earlier.MergeFrom(read);
        return earlier;
    }
}

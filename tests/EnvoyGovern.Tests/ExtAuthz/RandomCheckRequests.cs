using System.Text;
using Envoy.Config.Core.V3;
using Envoy.Service.Auth.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using HttpRequest = Envoy.Service.Auth.V3.AttributeContext.Types.HttpRequest;
using Peer = Envoy.Service.Auth.V3.AttributeContext.Types.Peer;

namespace EnvoyGovern.Tests.ExtAuthz;

/// <summary>
/// Serialized CheckRequests of every shape the wire allows: Envoy-like ones with random headers (repeats, non-ASCII,
/// empty, large) in <c>headers</c> or <c>header_map</c>, and what the generated parser accepts besides: unknown fields
/// of every wire type at every level (groups too), known fields with another wire type, a second occurrence of a
/// message (merged) or a oneof member (replacing), map entries without key or value or with invalid UTF-8.
/// </summary>
internal sealed class RandomCheckRequests(int seed)
{
    private static readonly string[] Names =
        ["x-api-key", "user-agent", "traceparent", "content-type", "x-request-id", "authorization", "cookie", "x-model", ":path", ":authority", "x-forwarded-proto", "accept"];

    private static readonly string[] Addresses = ["127.0.0.1", "10.1.2.3", "::1", "2001:db8::7", "not-an-address", ""];

    private readonly Random _random = new(seed);

    public byte[] Next()
    {
        using var bytes = new MemoryStream();
        bytes.Write(WithUnknowns(Request()).ToByteArray());
        if (Chance(0.3))
        {
            // A second, partial request: protobuf merges it into the first.
            bytes.Write(Partial().ToByteArray());
        }

        if (Chance(0.3))
        {
            bytes.Write(Nested([1, 4, 2], RawHeaderEntries()));
        }

        if (Chance(0.3))
        {
            bytes.Write(UnknownFields(50));
        }

        return bytes.ToArray();
    }

    private CheckRequest Request()
    {
        if (Chance(0.03))
        {
            return new CheckRequest();
        }

        var attributes = new AttributeContext
        {
            Source = Chance(0.8) ? WithUnknowns(Peer()) : null,
            Destination = Chance(0.8) ? WithUnknowns(Peer()) : null,
            Request = new AttributeContext.Types.Request
            {
                Time = Chance(0.9) ? Timestamp.FromDateTime(DateTime.UnixEpoch.AddSeconds(_random.Next())) : null,
                Http = Chance(0.95) ? WithUnknowns(Http()) : null,
            },
            MetadataContext = Chance(0.2) ? Metadata() : null,
            RouteMetadataContext = Chance(0.1) ? Metadata() : null,
            TlsSession = Chance(0.3) ? new AttributeContext.Types.TLSSession { Sni = Text() } : null,
        };
        for (var i = _random.Next(Chance(0.3) ? 4 : 0); i > 0; i--)
        {
            attributes.ContextExtensions[Pick(["policy", "tier", Text()])] = Text();
        }

        return new CheckRequest { Attributes = WithUnknowns(attributes) };
    }

    private CheckRequest Partial()
    {
        var http = new HttpRequest();
        if (Chance(0.5))
        {
            http.Method = Pick(["POST", "DELETE", Text()]);
        }

        if (Chance(0.5))
        {
            http.Host = Text();
        }

        AddHeaders(http);
        return new CheckRequest
        {
            Attributes = new AttributeContext
            {
                Source = Chance(0.5) ? Peer() : null,
                Request = new AttributeContext.Types.Request { Http = http },
            },
        };
    }

    private Peer Peer()
    {
        var peer = new Peer { Principal = Chance(0.3) ? Text() : "", Certificate = Chance(0.1) ? Text() : "", Service = Chance(0.1) ? Text() : "" };
        if (Chance(0.2))
        {
            peer.Labels[Text()] = Text();
        }

        peer.Address = _random.Next(6) switch
        {
            0 => null,
            1 => new Address { Pipe = new Pipe { Path = "/run/envoy.sock", Mode = 0600 } },
            2 => new Address { EnvoyInternalAddress = new EnvoyInternalAddress { ServerListenerName = "internal" } },
            3 => new Address { SocketAddress = WithUnknowns(new SocketAddress { Address = Pick(Addresses), NamedPort = "http" }) },
            _ => new Address { SocketAddress = WithUnknowns(new SocketAddress { Address = Pick(Addresses), PortValue = (uint)_random.Next(0, 65536) }) },
        };
        return peer;
    }

    private HttpRequest Http()
    {
        var http = new HttpRequest
        {
            Id = Chance(0.8) ? _random.NextInt64().ToString(System.Globalization.CultureInfo.InvariantCulture) : "",
            Method = Pick(["GET", "POST", "PUT", "CONNECT", "", "get", Text()]),
            Path = Pick(["/", "/v1/chat/completions?x=1", "", "/a%20b#frag", Text()]),
            Host = Pick(["api.example.com", "api.example.com:8443", "", Text()]),
            Scheme = Pick(["https", "http", "", Text()]),
            Query = Chance(0.1) ? Text() : "",
            Fragment = Chance(0.1) ? Text() : "",
            Size = Pick([-1L, 0L, 17L, long.MaxValue, long.MinValue]),
            Protocol = Pick(["HTTP/1.1", "HTTP/2", "HTTP/3", "", Text()]),
        };
        if (Chance(0.4))
        {
            http.Body = Pick(["{\"model\":\"gpt-4o\"}", "", Text()]);
        }

        if (Chance(0.2))
        {
            http.RawBody = ByteString.CopyFrom(Bytes(_random.Next(64)));
        }

        AddHeaders(http);
        return http;
    }

    private void AddHeaders(HttpRequest http)
    {
        var raw = Chance(0.4);
        if (!raw || Chance(0.2))
        {
            for (var i = _random.Next(25); i > 0; i--)
            {
                http.Headers[HeaderName()] = Text();
            }
        }

        if (raw)
        {
            http.HeaderMap = WithUnknowns(new HeaderMap());
            for (var i = _random.Next(25); i > 0; i--)
            {
                var header = new HeaderValue { Key = HeaderName() };
                var shape = _random.Next(4);
                header.Value = shape is 0 or 2 ? Text() : "";
                header.RawValue = shape is 1 or 2 ? ByteString.CopyFrom(Chance(0.1) ? Bytes(8) : Encoding.UTF8.GetBytes(Text())) : ByteString.Empty;
                http.HeaderMap.Headers.Add(Chance(0.2) ? WithUnknowns(header) : header);
            }
        }
    }

    // Map entries as the generated serializer never writes them: no key, no value, value first, a key twice,
    // unknown fields inside, invalid UTF-8.
    private byte[] RawHeaderEntries()
    {
        using var content = new MemoryStream();
        for (var i = _random.Next(1, 6); i > 0; i--)
        {
            using var entry = new MemoryStream();
            var key = Chance(0.05) ? Bytes(6) : Encoding.UTF8.GetBytes(HeaderName());
            var value = Chance(0.05) ? Bytes(6) : Encoding.UTF8.GetBytes(Text());
            switch (_random.Next(5))
            {
                case 0:
                    entry.Write(Field(2, value));
                    break;
                case 1:
                    entry.Write(Field(1, key));
                    break;
                case 2:
                    entry.Write(Field(2, value));
                    entry.Write(Field(1, key));
                    break;
                case 3:
                    entry.Write(Field(1, "k"u8.ToArray()));
                    entry.Write(Field(1, key));
                    entry.Write(UnknownFields(3));
                    entry.Write(Field(2, value));
                    break;
                default:
                    entry.Write(Field(1, key));
                    entry.Write(Field(2, value));
                    break;
            }

            content.Write(Field(3, entry.ToArray()));
        }

        if (Chance(0.5))
        {
            content.Write(Field(2, Chance(0.1) ? Bytes(4) : "PATCH"u8.ToArray()));
        }

        return content.ToArray();
    }

    private Metadata Metadata()
    {
        var payload = new Struct();
        payload.Fields["sub"] = Value.ForString(Text());
        payload.Fields["groups"] = Value.ForList(Value.ForString("a"), Value.ForString("b"));
        var metadata = new Metadata();
        metadata.FilterMetadata["envoy.filters.http.jwt_authn"] = new Struct { Fields = { ["payload"] = Value.ForStruct(payload) } };
        return metadata;
    }

    // The message with unknown fields (every wire type, groups, known numbers with another wire type) kept in it.
    private T WithUnknowns<T>(T message)
        where T : IMessage<T>, new()
    {
        if (!Chance(0.3))
        {
            return message;
        }

        var bytes = message.ToByteArray().Concat(UnknownFields(20)).ToArray();
        var copy = new T();
        copy.MergeFrom(bytes);
        return copy;
    }

    private byte[] UnknownFields(int mostFields)
    {
        using var stream = new MemoryStream();
        using (var output = new CodedOutputStream(stream, leaveOpen: true))
        {
            for (var i = _random.Next(1, mostFields); i > 0; i--)
            {
                // Numbers 1-13 are known somewhere; with a wire type they do not have there, they are unknown fields.
                var number = Chance(0.3) ? _random.Next(1, 14) : _random.Next(14, 5000);
                WriteUnknown(output, number, depth: 0);
            }
        }

        return stream.ToArray();
    }

    private void WriteUnknown(CodedOutputStream output, int number, int depth)
    {
        switch (_random.Next(depth < 3 ? 5 : 4))
        {
            case 0:
                output.WriteTag(number, WireFormat.WireType.Varint);
                output.WriteUInt64(Pick([0UL, 1UL, 300UL, ulong.MaxValue]));
                break;
            case 1:
                output.WriteTag(number, WireFormat.WireType.Fixed64);
                output.WriteFixed64((ulong)_random.NextInt64());
                break;
            case 2:
                output.WriteTag(number, WireFormat.WireType.Fixed32);
                output.WriteFixed32((uint)_random.Next());
                break;
            case 3:
                // Never a known number: random bytes in a known string or message field would make most requests invalid.
                output.WriteTag(number + 5000, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(ByteString.CopyFrom(Bytes(_random.Next(20))));
                break;
            default:
                output.WriteTag(number, WireFormat.WireType.StartGroup);
                for (var i = _random.Next(3); i > 0; i--)
                {
                    WriteUnknown(output, _random.Next(1, 100), depth + 1);
                }

                output.WriteTag(number, WireFormat.WireType.EndGroup);
                break;
        }
    }

    private string HeaderName() => _random.Next(10) switch
    {
        < 5 => Pick(Names),
        5 => "",
        6 => "x-ümlaut-名前",
        _ => "x-" + Text(8).ToLowerInvariant(),
    };

    private string Text(int most = 40) => _random.Next(12) switch
    {
        0 => "",
        1 => "héllo, 世界 😀",
        2 => new string('v', _random.Next(1000, 6000)),
        3 => "a,b",
        _ => new string([.. Enumerable.Range(0, _random.Next(1, most)).Select(_ => (char)_random.Next(0x20, 0x7F))]),
    };

    private byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private bool Chance(double p) => _random.NextDouble() < p;

    private T Pick<T>(T[] choices) => choices[_random.Next(choices.Length)];

    private static byte[] Field(int number, byte[] content)
    {
        using var stream = new MemoryStream();
        using (var output = new CodedOutputStream(stream, leaveOpen: true))
        {
            output.WriteTag(number, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(content));
        }

        return stream.ToArray();
    }

    // content wrapped in the message fields named by path, outermost first.
    private static byte[] Nested(int[] path, byte[] content) =>
        path.Reverse().Aggregate(content, (inner, number) => Field(number, inner));
}

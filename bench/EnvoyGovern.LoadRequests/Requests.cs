using System.Globalization;
using System.Text;
using Envoy.Config.Core.V3;
using Envoy.Service.Auth.V3;
using Google.Protobuf.WellKnownTypes;
using HttpRequest = Envoy.Service.Auth.V3.AttributeContext.Types.HttpRequest;

namespace EnvoyGovern.LoadRequests;

/// <summary>
/// A chat completion request as Envoy hands it to its filters (pseudo-headers, tracing and forwarding headers),
/// and the CheckRequest ext_authz makes of it with the body buffered.
/// </summary>
internal static class Requests
{
    public const string SourceAddress = "198.51.100.7";

    public const string Path = "/v1/chat/completions";

    private const string Body = """{"model":"gpt-4o","messages":[{"role":"user","content":"Summarise the quarterly report."}],"temperature":0.2,"stream":false}""";

    /// <summary>The request's headers; <paramref name="contentLength"/> null for a request without a body.</summary>
    public static List<KeyValuePair<string, string>> ChatHeaders(string credentialHeader, string credential, int? contentLength)
    {
        List<KeyValuePair<string, string>> headers =
        [
            new(":authority", GeneratedPolicy.Host),
            new(":path", Path),
            new(":method", "POST"),
            new(":scheme", "https"),
            new("content-type", "application/json"),
            new("accept", "application/json"),
            new("accept-encoding", "gzip, br"),
            new("user-agent", "openai-python/1.54.0"),
            new("x-forwarded-for", SourceAddress),
            new("x-forwarded-proto", "https"),
            new("x-request-id", "5f0c6a52-3f6e-4d55-9a3c-0b9f3a6f2c11"),
            new("x-envoy-expected-rq-timeout-ms", "15000"),
            new("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            new(credentialHeader, credential),
        ];
        if (contentLength is { } length)
        {
            headers.Insert(5, new("content-length", length.ToString(CultureInfo.InvariantCulture)));
        }

        return headers;
    }

    public static CheckRequest Chat(string credentialHeader, string credential)
    {
        var http = new HttpRequest
        {
            Id = "10813414839837358339",
            Method = "POST",
            Path = Path,
            Host = GeneratedPolicy.Host,
            Scheme = "https",
            Protocol = "HTTP/2",
            Size = Encoding.UTF8.GetByteCount(Body),
            Body = Body,
        };
        foreach (var (name, value) in ChatHeaders(credentialHeader, credential, (int)http.Size))
        {
            http.Headers[name] = value;
        }

        http.Headers["x-envoy-auth-partial-body"] = "false";
        var attributes = new AttributeContext
        {
            Source = new AttributeContext.Types.Peer { Address = Address(SourceAddress, 40000) },
            Destination = new AttributeContext.Types.Peer { Address = Address("10.0.0.5", 8443) },
            Request = new AttributeContext.Types.Request { Time = Timestamp.FromDateTime(DateTime.UtcNow), Http = http },
        };
        return new CheckRequest { Attributes = attributes };
    }

    private static Address Address(string ip, uint port) => new() { SocketAddress = new SocketAddress { Address = ip, PortValue = port } };
}

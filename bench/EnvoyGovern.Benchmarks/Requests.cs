using System.Text;
using Envoy.Config.Core.V3;
using Envoy.Service.Auth.V3;
using Google.Protobuf.WellKnownTypes;
using HttpRequest = Envoy.Service.Auth.V3.AttributeContext.Types.HttpRequest;

namespace EnvoyGovern.Benchmarks;

/// <summary>CheckRequests shaped like Envoy's (pseudo-headers, tracing and forwarding headers, buffered body).</summary>
internal static class Requests
{
    public const string SourceAddress = "198.51.100.7";

    private const string Body = """{"model":"gpt-4o","messages":[{"role":"user","content":"Summarise the quarterly report."}],"temperature":0.2,"stream":false}""";

    public static CheckRequest Chat(string credentialHeader, string credential)
    {
        var http = new HttpRequest
        {
            Id = "10813414839837358339",
            Method = "POST",
            Path = "/v1/chat/completions",
            Host = GeneratedPolicy.Host,
            Scheme = "https",
            Protocol = "HTTP/2",
            Size = Encoding.UTF8.GetByteCount(Body),
            Body = Body,
        };
        http.Headers.Add(new Dictionary<string, string>
        {
            [":authority"] = GeneratedPolicy.Host,
            [":path"] = "/v1/chat/completions",
            [":method"] = "POST",
            [":scheme"] = "https",
            ["content-type"] = "application/json",
            ["content-length"] = http.Size.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["accept"] = "application/json",
            ["accept-encoding"] = "gzip, br",
            ["user-agent"] = "openai-python/1.54.0",
            ["x-forwarded-for"] = SourceAddress,
            ["x-forwarded-proto"] = "https",
            ["x-request-id"] = "5f0c6a52-3f6e-4d55-9a3c-0b9f3a6f2c11",
            ["x-envoy-expected-rq-timeout-ms"] = "15000",
            ["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ["x-envoy-auth-partial-body"] = "false",
            [credentialHeader] = credential,
        });
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

using System.Globalization;
using System.Text;
using Envoy.Config.Core.V3;
using Envoy.Service.Auth.V3;
using Google.Protobuf.WellKnownTypes;
using HttpRequest = Envoy.Service.Auth.V3.AttributeContext.Types.HttpRequest;

namespace EnvoyGovern.Cli.PolicyTesting;

/// <summary>
/// Builds the <see cref="CheckRequest"/> Envoy's ext_authz filter sends for a test request
/// (<c>CheckRequestUtils::createHttpCheck</c>): pseudo-headers in the lower-case header map, repeated
/// headers joined with a comma, <c>attributes.request.http</c> filled from them, the peer socket as
/// source, and with a body the <c>x-envoy-auth-partial-body</c> header Envoy adds. The CLI ships, so it
/// cannot use the conformance harness's builder; tests there pin the same shape.
/// </summary>
internal static class CheckRequestBuilder
{
    private const uint SourcePort = 40000;
    private static long _nextId;

    public static CheckRequest Build(TestRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var http = new HttpRequest
        {
            // Envoy's stream id: a decimal number, distinct per request.
            Id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture),
            Method = request.Method,
            Path = request.Path,
            Host = request.Host,
            Scheme = request.Scheme,
            Protocol = request.Protocol,
            Size = request.Body is null ? ContentLength(request) : Encoding.UTF8.GetByteCount(request.Body),
            Query = string.Empty,
            Fragment = string.Empty,
        };
        if (request.Body is not null)
        {
            http.Body = request.Body;
        }

        var headers = new List<KeyValuePair<string, string>>
        {
            new(":authority", request.Host), new(":path", request.Path), new(":method", request.Method), new(":scheme", request.Scheme),
        };
        headers.AddRange(request.Headers.Select(h => new KeyValuePair<string, string>(h.Key.ToLowerInvariant(), h.Value)));
        if (request.Body is not null)
        {
            headers.Add(new("x-envoy-auth-partial-body", "false"));
        }

        foreach (var group in headers.GroupBy(h => h.Key, StringComparer.Ordinal))
        {
            http.Headers[group.Key] = string.Join(',', group.Select(h => h.Value));
        }

        var attributes = new AttributeContext
        {
            Source = new AttributeContext.Types.Peer
            {
                Address = new Address { SocketAddress = new SocketAddress { Address = request.Source, PortValue = SourcePort } },
                Principal = request.Principal ?? string.Empty,
            },
            Destination = new AttributeContext.Types.Peer
            {
                Address = new Address { SocketAddress = new SocketAddress { Address = "127.0.0.1", PortValue = request.Scheme == "https" ? 443u : 80u } },
            },
            Request = new AttributeContext.Types.Request { Time = Timestamp.FromDateTimeOffset(now), Http = http },
        };
        foreach (var (key, value) in request.ContextExtensions)
        {
            attributes.ContextExtensions[key] = value;
        }

        if (request.Metadata.Count > 0)
        {
            attributes.MetadataContext = new Metadata();
            foreach (var (filter, content) in request.Metadata)
            {
                attributes.MetadataContext.FilterMetadata[filter] = content.Clone();
            }
        }

        return new CheckRequest { Attributes = attributes };
    }

    // Without a buffered body Envoy reports content-length, or -1 when the client sent none.
    private static long ContentLength(TestRequest request) =>
        request.Headers.LastOrDefault(h => h.Key.Equals("content-length", StringComparison.OrdinalIgnoreCase)).Value is { } value
        && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var length) ? length : -1;
}

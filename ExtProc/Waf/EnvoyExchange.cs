using System.Globalization;
using System.Text;
using Envoy.Config.Core.V3;
using EnvoyGovern.ExtProc.Waf.Engine;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;

namespace EnvoyGovern.ExtProc.Waf;

/// <summary>
/// Turns what Envoy sends to ext_proc into engine input: pseudo-headers into the request line
/// (<c>:authority</c> becomes <c>host</c>), header values into Latin-1 text of their bytes
/// (<c>raw_value</c> as sent, <c>value</c> as UTF-8), and the forwarded attributes
/// (<c>request.protocol</c>, <c>source.address</c>) into the connection facts.
/// </summary>
internal static class EnvoyExchange
{
    public static (RequestLine Line, List<KeyValuePair<string, string>> Headers) Request(HeaderMap map, MapField<string, Struct>? attributes)
    {
        ArgumentNullException.ThrowIfNull(map);
        var method = "GET";
        var path = "/";
        string? authority = null;
        var hasHost = false;
        var headers = new List<KeyValuePair<string, string>>(map.Headers.Count);
        foreach (var header in map.Headers)
        {
            var value = Text(header);
            switch (header.Key)
            {
                case ":method":
                    method = value;
                    continue;
                case ":path":
                    path = value;
                    continue;
                case ":authority":
                    authority = value;
                    continue;
            }

            if (header.Key.StartsWith(':'))
            {
                continue;
            }

            hasHost |= string.Equals(header.Key, "host", StringComparison.OrdinalIgnoreCase);
            headers.Add(new(header.Key, value));
        }

        if (authority is not null && !hasHost)
        {
            headers.Insert(0, new("host", authority));
        }

        var protocol = Attribute(attributes, "request.protocol") ?? "HTTP/1.1";
        var source = Attribute(attributes, "source.address");
        var line = new RequestLine(method, path, protocol.StartsWith("HTTP/", StringComparison.OrdinalIgnoreCase) ? protocol : "HTTP/1.1");
        if (source is not null && SplitAddress(source) is var (address, port))
        {
            line = line with { RemoteAddress = address, RemotePort = port };
        }

        return (line, headers);
    }

    public static (int Status, List<KeyValuePair<string, string>> Headers) Response(HeaderMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var status = 0;
        var headers = new List<KeyValuePair<string, string>>(map.Headers.Count);
        foreach (var header in map.Headers)
        {
            var value = Text(header);
            if (header.Key == ":status")
            {
                _ = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out status);
            }
            else if (!header.Key.StartsWith(':'))
            {
                headers.Add(new(header.Key, value));
            }
        }

        return (status, headers);
    }

    private static string Text(HeaderValue header) =>
        header.RawValue.Length > 0 ? Encoding.Latin1.GetString(header.RawValue.Span) : Bodies.FormBodies.Latin1(header.Value);

    private static string? Attribute(MapField<string, Struct>? attributes, string name)
    {
        if (attributes is null)
        {
            return null;
        }

        foreach (var group in attributes.Values)
        {
            if (group.Fields.TryGetValue(name, out var value) && value.KindCase == Value.KindOneofCase.StringValue)
            {
                return value.StringValue;
            }
        }

        return null;
    }

    private static (string Address, int Port)? SplitAddress(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon > 0 && text.IndexOf(':', StringComparison.Ordinal) == colon
            && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return (text[..colon], port);
        }

        if (text.StartsWith('[') && text.IndexOf("]:", StringComparison.Ordinal) is var end and > 0
            && int.TryParse(text.AsSpan(end + 2), NumberStyles.None, CultureInfo.InvariantCulture, out var port6))
        {
            return (text[1..end], port6);
        }

        return (text, 0);
    }
}

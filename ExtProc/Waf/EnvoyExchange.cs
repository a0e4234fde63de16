using System.Globalization;
using System.Text;
using Envoy.Config.Core.V3;
using EnvoyGovern.ExtProc.Inspection;
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
        var headers = new List<KeyValuePair<string, string>>(map.Headers.Count);
        return (Request(map, attributes, null, headers), headers);
    }

    /// <summary>
    /// As <see cref="Request(HeaderMap, MapField{string, Struct}?)"/>, the headers added to <paramref name="headers"/> (a
    /// list the caller reuses) and the values taken from <paramref name="decoded"/> (the exchange's texts) where they are
    /// the same text: ASCII, whose UTF-8 and Latin-1 decodings agree.
    /// </summary>
    public static RequestLine Request(HeaderMap map, MapField<string, Struct>? attributes, DecodedHeaders? decoded, List<KeyValuePair<string, string>> headers)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(headers);
        decoded = decoded is not null && ReferenceEquals(decoded.Headers, map) ? decoded : null;
        var method = "GET";
        var path = "/";
        string? authority = null;
        var hasHost = false;
        var first = headers.Count;
        // By index: RepeatedField's enumerator is an allocation per loop.
        var all = map.Headers;
        for (var i = 0; i < all.Count; i++)
        {
            var header = all[i];
            var key = header.Key;
            if (key.StartsWith(':'))
            {
                // Other pseudo-headers (:scheme) are not decoded at all.
                switch (key)
                {
                    case ":method":
                        method = Text(header, i, decoded);
                        break;
                    case ":path":
                        path = Text(header, i, decoded);
                        break;
                    case ":authority":
                        authority = Text(header, i, decoded);
                        break;
                }

                continue;
            }

            hasHost |= string.Equals(key, "host", StringComparison.OrdinalIgnoreCase);
            headers.Add(new(key, Text(header, i, decoded)));
        }

        if (authority is not null && !hasHost)
        {
            headers.Insert(first, new("host", authority));
        }

        var protocol = Attribute(attributes, "request.protocol") ?? "HTTP/1.1";
        var source = Attribute(attributes, "source.address");
        var version = protocol.StartsWith("HTTP/", StringComparison.OrdinalIgnoreCase) ? protocol : "HTTP/1.1";
        return source is not null && SplitAddress(source) is var (address, port)
            ? new RequestLine(method, path, version) { RemoteAddress = address, RemotePort = port }
            : new RequestLine(method, path, version);
    }

    public static (int Status, List<KeyValuePair<string, string>> Headers) Response(HeaderMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var status = 0;
        var headers = new List<KeyValuePair<string, string>>(map.Headers.Count);
        // By index: RepeatedField's enumerator is an allocation per loop.
        var all = map.Headers;
        for (var i = 0; i < all.Count; i++)
        {
            var header = all[i];
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

    private static string Text(HeaderValue header, int index, DecodedHeaders? decoded) =>
        decoded?.Text(index) is { } text && Ascii.IsValid(text) ? text : Text(header);

    private static string Text(HeaderValue header) =>
        header.RawValue.Length > 0 ? Encoding.Latin1.GetString(header.RawValue.Span) : Bodies.FormBodies.Latin1(header.Value);

    private static string? Attribute(MapField<string, Struct>? attributes, string name)
    {
        // Most streams carry none; enumerating the map's values costs a view and an iterator even then.
        if (attributes is null || attributes.Count == 0)
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

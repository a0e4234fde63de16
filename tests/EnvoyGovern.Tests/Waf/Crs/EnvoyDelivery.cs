using System.Globalization;
using System.Text;
using Envoy.Config.Core.V3;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;

namespace EnvoyGovern.Tests.Waf.Crs;

/// <summary>What Envoy hands ext_proc for one client request: the header map, attributes and the body.</summary>
internal sealed record EnvoyRequest(HeaderMap Headers, MapField<string, Struct> Attributes, byte[] Body);

/// <summary>
/// Models what Envoy (HTTP/1 listener, default settings plus <c>accept_http_10</c>, ext_proc forwarding
/// <c>request.protocol</c>) does with a go-ftw request before ext_proc sees it: requests its codec or
/// connection manager rejects never reach us (the reason is returned), hop-by-hop headers are removed,
/// the fragment is stripped, chunked bodies arrive de-chunked, and the connection manager adds
/// <c>x-forwarded-proto</c> and <c>x-request-id</c>.
/// </summary>
internal static class EnvoyDelivery
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase) { "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade" };

    public static EnvoyRequest? Build(CrsTestCase test, out string? rejection)
    {
        rejection = null;
        string method, target, version;
        List<KeyValuePair<string, byte[]>> headers;
        byte[] body;
        if (test.EncodedRequest is not null)
        {
            if (!ParseRaw(test.EncodedRequest, out method, out target, out version, out headers, out body, out rejection))
            {
                return null;
            }
        }
        else
        {
            method = test.Method;
            target = test.Uri;
            version = test.Version;
            headers = [.. test.Headers.Select(h => new KeyValuePair<string, byte[]>(h.Key, Encoding.UTF8.GetBytes(h.Value)))];
            body = GoFtw.Complete(test, headers);
            if (!FrameBody(headers, ref body, out rejection))
            {
                return null;
            }
        }

        rejection = Validate(method, target, version, headers);
        if (rejection is not null)
        {
            return null;
        }

        var fragment = target.IndexOf('#', StringComparison.Ordinal);
        if (fragment >= 0)
        {
            target = target[..fragment];
        }

        string? authority = null;
        if (IsAbsoluteForm(target))
        {
            // Absolute form: Envoy takes the authority from the URL and keeps the path.
            var start = target.IndexOf("://", StringComparison.Ordinal) + 3;
            var slash = target.IndexOf('/', start);
            authority = slash < 0 ? target[start..] : target[start..slash];
            target = slash < 0 ? "/" : target[slash..];
        }

        var map = new HeaderMap();
        var host = headers.FirstOrDefault(h => string.Equals(h.Key, "host", StringComparison.OrdinalIgnoreCase)).Value;
        map.Headers.Add(Header(":authority", authority is not null ? Encoding.ASCII.GetBytes(authority) : host ?? []));
        map.Headers.Add(Header(":path", Encoding.Latin1.GetBytes(target)));
        map.Headers.Add(Header(":method", Encoding.ASCII.GetBytes(method)));
        map.Headers.Add(Header(":scheme", "http"u8.ToArray()));
        foreach (var (name, value) in headers)
        {
            if (string.Equals(name, "host", StringComparison.OrdinalIgnoreCase) || HopByHop.Contains(name)
                || (string.Equals(name, "te", StringComparison.OrdinalIgnoreCase) && !string.Equals(Encoding.Latin1.GetString(value).Trim(), "trailers", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            map.Headers.Add(Header(name.ToLowerInvariant(), TrimOws(value)));
        }

        map.Headers.Add(Header("x-forwarded-proto", "http"u8.ToArray()));
        map.Headers.Add(Header("x-request-id", Encoding.ASCII.GetBytes(Guid.NewGuid().ToString())));
        var attributes = new MapField<string, Struct>();
        var fields = new Struct();
        fields.Fields["request.protocol"] = Value.ForString(version);
        fields.Fields["source.address"] = Value.ForString("127.0.0.1:40000");
        attributes["envoy.filters.http.ext_proc"] = fields;
        return new EnvoyRequest(map, attributes, body);
    }

    private static HeaderValue Header(string key, byte[] value) => new() { Key = key, RawValue = ByteString.CopyFrom(value) };

    private static byte[] TrimOws(byte[] value)
    {
        var span = value.AsSpan();
        while (span.Length > 0 && span[0] is (byte)' ' or (byte)'\t')
        {
            span = span[1..];
        }

        while (span.Length > 0 && span[^1] is (byte)' ' or (byte)'\t')
        {
            span = span[..^1];
        }

        return span.ToArray();
    }

    // Without autocompletion the body is what the framing headers say it is.
    private static bool FrameBody(List<KeyValuePair<string, byte[]>> headers, ref byte[] body, out string? rejection)
    {
        rejection = null;
        var lengths = headers.Where(h => string.Equals(h.Key, "content-length", StringComparison.OrdinalIgnoreCase)).ToList();
        var chunked = headers.Any(h => string.Equals(h.Key, "transfer-encoding", StringComparison.OrdinalIgnoreCase));
        if (lengths.Count > 0 && chunked)
        {
            rejection = "Envoy rejects Content-Length together with Transfer-Encoding";
            return false;
        }

        if (chunked)
        {
            if (!Dechunk(body, out body))
            {
                rejection = "Envoy rejects a malformed chunked body";
                return false;
            }

            return true;
        }

        if (lengths.Count == 0)
        {
            body = [];
            return true;
        }

        if (lengths.Count > 1 || !int.TryParse(Encoding.ASCII.GetString(lengths[0].Value).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            rejection = "Envoy rejects an invalid or repeated Content-Length";
            return false;
        }

        if (length > body.Length)
        {
            rejection = "Content-Length exceeds the data sent: Envoy waits for the rest and times out";
            return false;
        }

        body = body[..length];
        return true;
    }

    private static string? Validate(string method, string target, string version, List<KeyValuePair<string, byte[]>> headers)
    {
        if (version is not ("HTTP/1.1" or "HTTP/1.0"))
        {
            return $"Envoy's HTTP/1 codec rejects the protocol version '{version}'";
        }

        if (method.Length == 0 || !method.All(IsTokenChar))
        {
            return $"Envoy's HTTP/1 codec rejects the method '{method}'";
        }

        if (string.Equals(method, "CONNECT", StringComparison.OrdinalIgnoreCase))
        {
            return "CONNECT is an upgrade Envoy does not route to the HTTP filter chain by default";
        }

        if (target.Length == 0 || target.Any(c => c <= ' ' || c == 0x7f))
        {
            return "Envoy's HTTP/1 codec rejects a request target with whitespace or control characters";
        }

        if (!(target[0] == '/' || IsAbsoluteForm(target) || (target == "*" && method == "OPTIONS")))
        {
            return $"Envoy rejects the request target form '{Truncate(target)}'";
        }

        var host = headers.Where(h => string.Equals(h.Key, "host", StringComparison.OrdinalIgnoreCase)).ToList();
        if (version == "HTTP/1.1" && host.Count == 0 && !IsAbsoluteForm(target))
        {
            return "Envoy rejects an HTTP/1.1 request without Host";
        }

        if (host.Count > 1)
        {
            return "Envoy rejects a request with two Host headers";
        }

        foreach (var (name, value) in headers)
        {
            if (name.Length == 0 || !name.All(IsTokenChar))
            {
                return $"Envoy's HTTP/1 codec rejects the header name '{Truncate(name)}'";
            }

            if (value.Any(b => b is 0 or (byte)'\r' or (byte)'\n'))
            {
                return $"Envoy's HTTP/1 codec rejects NUL/CR/LF in the value of '{name}'";
            }
        }

        return null;
    }

    // http://host/path on the request line (a proxy request), as opposed to a path whose query holds a URL.
    private static bool IsAbsoluteForm(string target) =>
        target.Length > 0 && target[0] != '/' && target.Contains("://", StringComparison.Ordinal);

    private static string Truncate(string text) => text.Length > 40 ? text[..40] + "..." : text;

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);

    private static bool ParseRaw(byte[] raw, out string method, out string target, out string version, out List<KeyValuePair<string, byte[]>> headers, out byte[] body, out string? rejection)
    {
        method = target = version = string.Empty;
        headers = [];
        body = [];
        rejection = null;
        var text = Encoding.Latin1.GetString(raw);
        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headerEnd < 0)
        {
            rejection = "raw request without a complete header block: Envoy never forwards it";
            return false;
        }

        var lines = text[..headerEnd].Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3)
        {
            rejection = "raw request line Envoy's codec rejects";
            return false;
        }

        (method, target, version) = (parts[0], parts[1], parts[2]);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                rejection = "raw header line Envoy's codec rejects";
                return false;
            }

            headers.Add(new(line[..colon], Encoding.Latin1.GetBytes(line[(colon + 1)..])));
        }

        body = raw[(headerEnd + 4)..];
        return FrameBody(headers, ref body, out rejection);
    }

    private static bool Dechunk(byte[] data, out byte[] body)
    {
        var output = new List<byte>();
        var text = Encoding.Latin1.GetString(data);
        var i = 0;
        body = [];
        while (true)
        {
            var lineEnd = text.IndexOf("\r\n", i, StringComparison.Ordinal);
            if (lineEnd < 0)
            {
                return false;
            }

            var sizeText = text[i..lineEnd].Split(';')[0].Trim();
            if (!int.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size))
            {
                return false;
            }

            i = lineEnd + 2;
            if (size == 0)
            {
                body = [.. output];
                return true;
            }

            if (i + size > data.Length)
            {
                return false;
            }

            output.AddRange(data.AsSpan(i, size).ToArray());
            i += size + 2;
        }
    }
}

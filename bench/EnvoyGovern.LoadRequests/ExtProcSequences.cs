using System.Text;
using System.Text.Json;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using EnvoyGovern.Protos.Compat;
using Google.Protobuf;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.LoadRequests;

/// <summary>
/// ext_proc streams as Envoy (1.32+) opens them for the chat request: header values as <c>raw_value</c>,
/// <c>protocol_config</c> on the first message. The harness sends a whole stream as one HTTP/2 request body,
/// which is a valid call because Envoy's messages of one direction do not wait for the answers.
/// </summary>
internal static class ExtProcSequences
{
    // Plain prose: no markup, quotes or SQL-like fragments, so the WAF passes it and the measured path is
    // the usual one (inspect everything, find nothing). Personal data is absent too, the common case for PII.
    private const string Prose =
        "The quarterly report covers revenue growth in three regions, the new support process and the plan for "
        + "the next two quarters. Please summarise the main points for the board in plain language, keep every "
        + "figure as it is written, and list the open questions at the end. ";

    /// <summary>Request headers of a request without a body (end_of_stream), with no body mode.</summary>
    public static IMessage[] HeadersOnly() =>
        [WithConfig(Headers(Authorized(contentLength: null), endOfStream: true), BodySendMode.None)];

    /// <summary>Request headers, then the whole JSON body of <paramref name="bytes"/> bytes in one buffered message.</summary>
    public static IMessage[] BufferedBody(int bytes)
    {
        var body = ChatBody(bytes);
        return
        [
            WithConfig(Headers(Authorized(body.Length), endOfStream: false), BodySendMode.Buffered),
            new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFrom(body), EndOfStream = true } },
        ];
    }

    // ext_proc runs after ext_authz: the request carries the identity ExtAuthz established for the demo
    // key (the sample policy's model governance reads the tenant).
    private static List<KeyValuePair<string, string>> Authorized(int? contentLength) =>
        [.. Requests.ChatHeaders("x-api-key", "demo-key-acme", contentLength), new("x-governance-tenant", "acme"), new("x-governance-model", "gpt-4o")];

    /// <summary>A chat completion request of exactly <paramref name="bytes"/> bytes: the user message is prose cut to fit.</summary>
    public static byte[] ChatBody(int bytes)
    {
        var empty = Json(string.Empty);
        var room = bytes - empty.Length;
        if (room < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, $"a chat request needs at least {empty.Length} bytes");
        }

        var content = new StringBuilder(room);
        while (content.Length < room)
        {
            content.Append(Prose);
        }

        return Json(content.ToString(0, room));
    }

    private static byte[] Json(string content)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("model", "gpt-4o");
            writer.WriteStartArray("messages");
            writer.WriteStartObject();
            writer.WriteString("role", "system");
            writer.WriteString("content", "You are a careful assistant for financial reporting.");
            writer.WriteEndObject();
            writer.WriteStartObject();
            writer.WriteString("role", "user");
            writer.WriteString("content", content);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteNumber("temperature", 0.2);
            writer.WriteNumber("max_tokens", 512);
            writer.WriteBoolean("stream", false);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static ProcessingRequest Headers(IEnumerable<KeyValuePair<string, string>> headers, bool endOfStream)
    {
        var map = new HeaderMap();
        map.Headers.AddRange(headers.Select(h => new HeaderValue { Key = h.Key, RawValue = ByteString.CopyFromUtf8(h.Value) }));
        return new ProcessingRequest { RequestHeaders = new HttpHeaders { Headers = map, EndOfStream = endOfStream } };
    }

    private static ProcessingRequest WithConfig(ProcessingRequest first, BodySendMode requestBody) =>
        ExtProcWire.WithProtocolConfig(first, new ProtocolConfiguration(requestBody, BodySendMode.None, SendBodyWithoutWaitingForHeaderResponse: false));
}

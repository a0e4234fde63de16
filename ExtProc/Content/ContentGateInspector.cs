using System.Text.Json;
using System.Text.Unicode;
using Envoy.Config.Core.V3;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.ExtProc.Inspection.Bodies;
using EnvoyGovern.Governance.Policy.Model;
using EnvoyGovern.Governance.Policy.Runtime;

namespace EnvoyGovern.ExtProc.Content;

/// <summary>
/// The first content inspector: picks the host's and path's inspection settings on request headers,
/// admits a body for inspection only when some feature needs it and its type and encoding can be read
/// (otherwise refuses it, or lets it pass with a finding, as the policy says), and refuses a request body
/// that is not what it claims (invalid UTF-8, malformed or too deeply nested JSON) with a clear 400 before
/// any feature reads it. On response headers it applies the policy's response hygiene.
/// </summary>
internal sealed class ContentGateInspector(PolicyStore? policy = null) : IInspector
{
    public const string InspectorName = "content";

    public string Name => InspectorName;

    public ValueTask<InspectionVerdict> OnHeadersAsync(InspectionContext context, HttpDirection direction, HeaderMap headers, bool endOfStream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(headers);
        var exchange = ContentExchange.Of(context);
        if (direction == HttpDirection.Request && policy?.Current?.Get<ContentPolicy>() is { } content
            && context.Decoded(headers) is var decoded
            && content.Select(decoded.Find(":authority") ?? string.Empty, decoded.Find(":path") ?? "/") is { } settings)
        {
            exchange = new ContentExchange(settings);
            ContentExchange.Set(context, exchange);
        }

        if (exchange is null)
        {
            return ValueTask.FromResult(InspectionVerdict.Continue);
        }

        var verdict = Admit(context, exchange, direction);
        if (direction == HttpDirection.Response && verdict.Reject is null && exchange.Settings.ResponseHeaders is { } hygiene)
        {
            // Headers that leak internals go; governance headers come (removal first: an added one stays).
            verdict = verdict with
            {
                RemoveHeaders = [.. hygiene.Remove.Where(h => !hygiene.Add.ContainsKey(h))],
                SetHeaders = [.. hygiene.Add],
            };
        }

        return ValueTask.FromResult(verdict);
    }

    public ValueTask<InspectionVerdict> OnBodyAsync(InspectionContext context, HttpDirection direction, ReadOnlyMemory<byte> chunk, bool endOfBody, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (direction != HttpDirection.Request || !endOfBody || ContentExchange.Of(context) is not { RequestAdmitted: true })
        {
            return ValueTask.FromResult(InspectionVerdict.Continue);
        }

        return ValueTask.FromResult(Validate(context, chunk.Span));
    }

    public ValueTask<InspectionVerdict> OnTrailersAsync(InspectionContext context, HttpDirection direction, HeaderMap trailers, CancellationToken cancellationToken) =>
        ValueTask.FromResult(InspectionVerdict.Continue);

    private static InspectionVerdict Admit(InspectionContext context, ContentExchange exchange, HttpDirection direction)
    {
        var body = context.Body(direction);
        if (!body.Expected || !exchange.Settings.NeedsBody(direction))
        {
            return InspectionVerdict.Continue;
        }

        var (problem, rule) = body.Coding == ContentCoding.Unsupported ? ("content-encoding", "content.unsupported_encoding")
            : body.Kind == BodyKind.Other ? ("content-type", "content.unsupported_type")
            : (null, null);
        if (problem is null)
        {
            if (direction == HttpDirection.Request)
            {
                exchange.RequestAdmitted = true;
            }
            else
            {
                exchange.ResponseAdmitted = true;
            }

            return InspectionVerdict.Continue;
        }

        var refuse = exchange.Settings.UnknownContentTypes == UnknownContentAction.Refuse;
        context.AddFinding(new Finding
        {
            Inspector = InspectorName,
            RuleId = rule!,
            Message = $"{(direction == HttpDirection.Request ? "request" : "response")} body cannot be inspected ({problem} not readable); {(refuse ? "refused" : "passed uninspected")} by policy",
            Category = "content",
            Direction = direction,
            Location = problem,
            Blocking = refuse,
        });
        if (!refuse)
        {
            return InspectionVerdict.Continue;
        }

        return direction == HttpDirection.Request
            ? InspectionVerdict.Rejected(415, problem == "content-type" ? "unsupported_media_type" : "unsupported_content_encoding")
            : InspectionVerdict.Rejected(502, "response_not_inspectable");
    }

    // Features read a request body as UTF-8 text or JSON; one that is neither gets a precise 400 here.
    private static InspectionVerdict Validate(InspectionContext context, ReadOnlySpan<byte> body)
    {
        var kind = context.Request.Kind;
        if (context.Request.Truncated)
        {
            return Reject(context, 413, "body_too_large", "content.truncated", "the request body was cut at Envoy's buffer limit (BUFFERED_PARTIAL), so it cannot be inspected whole");
        }

        if (!Utf8.IsValid(body))
        {
            return Reject(context, 400, "invalid_utf8", "content.invalid_utf8", "the request body is not valid UTF-8");
        }

        if (kind != BodyKind.Json)
        {
            return InspectionVerdict.Continue;
        }

        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = Pii.JsonPiiRedactor.MaxDepth });
        try
        {
            while (reader.Read())
            {
            }

            return InspectionVerdict.Continue;
        }
        catch (JsonException) when (reader.CurrentDepth >= Pii.JsonPiiRedactor.MaxDepth - 1)
        {
            return Reject(context, 400, "json_too_deep", "content.json_too_deep", $"the JSON body nests deeper than {Pii.JsonPiiRedactor.MaxDepth} levels");
        }
        catch (JsonException ex)
        {
            return Reject(context, 400, "invalid_json", "content.invalid_json", $"the request body is not valid JSON (byte {reader.BytesConsumed}: {ex.Message.Split('.')[0]})");
        }
    }

    private static InspectionVerdict Reject(InspectionContext context, int status, string reason, string rule, string message) =>
        ContentReplies.RefuseRequest(context, InspectorName, "content", status, reason, rule, message);
}

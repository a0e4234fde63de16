using System.Text.Json;
using EnvoyGovern.ExtProc.Inspection;

namespace EnvoyGovern.ExtProc.Content;

/// <summary>
/// Refusals of content inspectors, in the error shape OpenAI-compatible clients read
/// (<c>{"error":{"message","type","code"}}</c>) with the exchange id for support, each with its finding.
/// </summary>
internal static class ContentReplies
{
    /// <summary>Refuses a request for something in its body, with a blocking finding of <paramref name="inspector"/>.</summary>
    public static InspectionVerdict RefuseRequest(InspectionContext context, string inspector, string category, int status, string reason, string rule, string message) =>
        Refuse(context, status, reason, BodyFinding(inspector, category, rule, message, blocking: true));

    /// <summary>A finding about the request body.</summary>
    public static Finding BodyFinding(string inspector, string category, string rule, string message, bool blocking) => new()
    {
        Inspector = inspector,
        RuleId = rule,
        Message = message,
        Category = category,
        Direction = HttpDirection.Request,
        Location = "body",
        Blocking = blocking,
    };

    public static InspectionVerdict Refuse(InspectionContext context, int status, string reason, Finding finding, string? clientMessage = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(finding);
        context.AddFinding(finding);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", clientMessage ?? finding.Message);
            json.WriteString("type", status is >= 400 and < 500 ? "invalid_request_error" : "governance_error");
            json.WriteString("code", reason);
            json.WriteString("exchange_id", context.ExchangeId);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        var body = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        return new InspectionVerdict
        {
            Reject = new ImmediateReply(status, reason, body) { Headers = [new("content-type", "application/json")] },
        };
    }
}

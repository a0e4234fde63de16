using System.Text.Json;
using Envoy.Config.Core.V3;
using EnvoyGovern.ExtProc.Content;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.ExtProc.Inspection.Bodies;

namespace EnvoyGovern.ExtProc.Pii;

/// <summary>
/// Personal data in request and response bodies, as the host's policy says: JSON string values, form
/// fields and plain text are inspected whole; a server-sent-events answer chunk by chunk, held back only
/// where an entity may still be forming. Redacted entities are masked in place (the body stays valid
/// JSON, form data or SSE); a blocked one refuses the request (403) or stops the answer; every entity is
/// an audit finding without its value.
/// </summary>
internal sealed class PiiInspector : IInspector
{
    public string Name => PiiFindings.InspectorName;

    public ValueTask<InspectionVerdict> OnHeadersAsync(InspectionContext context, HttpDirection direction, HeaderMap headers, bool endOfStream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (ContentExchange.Of(context) is not { } exchange || !exchange.Admitted(direction) || exchange.Settings.Pii is not { } pii || !pii.Inspects(direction))
        {
            return ValueTask.FromResult(InspectionVerdict.Continue);
        }

        var state = new State(new PiiFindings(context, direction, pii));
        if (direction == HttpDirection.Response && context.Response.Kind == BodyKind.EventStream)
        {
            state.Events = new EventStreamPiiRedactor(state.Findings, exchange.Settings.MaxBodyBytes);
        }

        context.SetSlot(Slot(direction), state);
        var mode = exchange.Require(context, direction, pii.MayRedact);
        return ValueTask.FromResult(mode is null ? InspectionVerdict.Continue : new InspectionVerdict { BodyMode = mode });
    }

    public ValueTask<InspectionVerdict> OnBodyAsync(InspectionContext context, HttpDirection direction, ReadOnlyMemory<byte> chunk, bool endOfBody, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Slot(Slot(direction)) is not State state)
        {
            return ValueTask.FromResult(InspectionVerdict.Continue);
        }

        if (state.Events is { } events)
        {
            var output = events.Push(chunk, endOfBody);
            return ValueTask.FromResult(Decide(context, direction, state.Findings, output));
        }

        if (!endOfBody)
        {
            // Whole bodies come in one call at their end; anything before is not ours to judge.
            return ValueTask.FromResult(InspectionVerdict.Continue);
        }

        context.SetSlot(Slot(direction), null);
        return ValueTask.FromResult(Decide(context, direction, state.Findings, RedactWhole(context.Body(direction).Kind, chunk.Span, state.Findings)));
    }

    public ValueTask<InspectionVerdict> OnTrailersAsync(InspectionContext context, HttpDirection direction, HeaderMap trailers, CancellationToken cancellationToken) =>
        ValueTask.FromResult(InspectionVerdict.Continue);

    private static ReadOnlyMemory<byte>? RedactWhole(BodyKind kind, ReadOnlySpan<byte> body, PiiFindings findings)
    {
        switch (kind)
        {
            case BodyKind.Form:
                return PlainPiiRedactor.RedactForm(body, findings);
            case BodyKind.Json:
                try
                {
                    return JsonPiiRedactor.Redact(body, findings);
                }
                catch (JsonException)
                {
                    // Request bodies were validated by the gate; an upstream's broken JSON is read as
                    // text, so nothing in it passes unscanned.
                    return PlainPiiRedactor.RedactText(body, findings);
                }

            default:
                return PlainPiiRedactor.RedactText(body, findings);
        }
    }

    private static InspectionVerdict Decide(InspectionContext context, HttpDirection direction, PiiFindings findings, ReadOnlyMemory<byte>? output)
    {
        findings.Flush();
        if (findings.Blocked)
        {
            var request = direction == HttpDirection.Request;
            var reason = request ? "pii_blocked" : "response_pii_blocked";
            return ContentReplies.Refuse(context, request ? 403 : 502, reason, new Finding
            {
                Inspector = PiiFindings.InspectorName,
                RuleId = "pii.block",
                Message = $"personal data the policy blocks ({findings.BlockedRule}) in the {(request ? "request" : "response")} body",
                Category = "pii",
                Direction = direction,
                Location = "body",
                Blocking = true,
            });
        }

        return output is { } replacement ? new InspectionVerdict { ReplaceBody = replacement } : InspectionVerdict.Continue;
    }

    private static ExchangeSlot Slot(HttpDirection direction) => direction == HttpDirection.Request ? ExchangeSlot.PiiRequest : ExchangeSlot.PiiResponse;

    private sealed class State(PiiFindings findings)
    {
        public PiiFindings Findings { get; } = findings;

        public EventStreamPiiRedactor? Events { get; set; }
    }
}

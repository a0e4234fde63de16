using EnvoyGovern.ExtProc.Inspection;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.ExtProc.Content;

/// <summary>
/// The content inspection of one exchange, as the gate set it up on request headers: the settings, and
/// per direction whether the body was admitted for inspection. Content inspectors read it from the
/// context; without one (no policy for the host or path) they do nothing.
/// </summary>
internal sealed class ContentExchange(ContentSettings settings)
{

    public ContentSettings Settings { get; } = settings;

    /// <summary>The request body is inspected: features need it and its type and encoding can be read.</summary>
    public bool RequestAdmitted { get; set; }

    /// <summary>The response body is inspected.</summary>
    public bool ResponseAdmitted { get; set; }

    public static ContentExchange? Of(InspectionContext context) =>
        context.Slot(ExchangeSlot.Content) as ContentExchange;

    public static void Set(InspectionContext context, ContentExchange exchange) => context.SetSlot(ExchangeSlot.Content, exchange);

    public bool Admitted(HttpDirection direction) => direction == HttpDirection.Request ? RequestAdmitted : ResponseAdmitted;

    /// <summary>
    /// Requires the body of <paramref name="direction"/> for a feature and returns the mode to ask Envoy
    /// for: only when Envoy sends no body yet (configured NONE); a configured mode is used as it is.
    /// </summary>
    public BodySendMode? Require(InspectionContext context, HttpDirection direction, bool mayChange)
    {
        var body = context.Body(direction);
        var streamed = direction == HttpDirection.Response && body.Kind == Inspection.Bodies.BodyKind.EventStream;
        body.Require(wholeBody: !streamed, mayChange, Settings.MaxBodyBytes);
        if (body.Mode != BodySendMode.None)
        {
            return null;
        }

        return streamed ? BodySendMode.Streamed : BodySendMode.Buffered;
    }
}

namespace EnvoyGovern.ExtProc.Inspection.Bodies;

/// <summary>The answers the chain gives for a body it cannot inspect, each with its audit finding.</summary>
internal static class BodyRejections
{
    public const string InspectorName = "body";

    public static InspectionVerdict TooLarge(InspectionContext context, HttpDirection direction, long limit) =>
        Reject(context, direction, "body-limit", $"body larger than {limit} bytes once decoded",
            direction == HttpDirection.Request ? 413 : 502,
            direction == HttpDirection.Request ? "body_too_large" : "response_body_too_large");

    public static InspectionVerdict Undecodable(InspectionContext context, HttpDirection direction, BodyDecodingException error) =>
        Reject(context, direction, "body-decoding", $"body does not decode: {error.Message}",
            direction == HttpDirection.Request ? 400 : 502,
            direction == HttpDirection.Request ? "body_undecodable" : "response_body_undecodable");

    /// <summary>An inspector required the request body, and the response began without Envoy sending it.</summary>
    public static InspectionVerdict NotInspected(InspectionContext context) =>
        Reject(context, HttpDirection.Request, "body-not-sent",
            "the request body was required for inspection but Envoy did not send it (set allow_mode_override or a request body mode)",
            500, "request_body_not_inspected");

    private static InspectionVerdict Reject(InspectionContext context, HttpDirection direction, string ruleId, string message, int status, string reason)
    {
        context.AddFinding(new Finding
        {
            Inspector = InspectorName,
            RuleId = ruleId,
            Message = message,
            Category = "body",
            Direction = direction,
            Location = "body",
            Blocking = true,
        });
        return InspectionVerdict.Rejected(status, reason);
    }
}

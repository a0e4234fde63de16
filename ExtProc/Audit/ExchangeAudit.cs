using System.Text.Json;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.Governance.Audit.Recording;

namespace EnvoyGovern.ExtProc.Audit;

/// <summary>
/// The audit record of one ext_proc stream, written when it ends: how it ended, the request (<c>http.*</c>,
/// <c>url.*</c> redacted), who (from ExtAuthz's <c>x-governance-*</c> headers), the model and token usage
/// (<c>gen_ai.*</c>), and every finding: rule ids, categories and rulesets in ECS <c>rule.*</c> (arrays), each
/// finding in full under <c>envoygovern.findings</c> (its evidence already redacted by the inspector).
/// </summary>
public sealed class ExchangeAudit(AuditRecorder recorder)
{
    private const string Provider = "extproc";

    // Read only by the record writer: one instance each instead of arrays per record.
    private static readonly string[] Web = ["web"];
    private static readonly string[] WebIntrusion = ["web", "intrusion_detection"];
    private static readonly string[] AccessAllowed = ["access", "allowed"];
    private static readonly string[] AccessDenied = ["access", "denied"];
    private static readonly string[] AccessError = ["access", "error"];

    /// <summary>Headers the facts may copy (the configured allow-list).</summary>
    public IReadOnlyList<string> AllowedHeaders => recorder.Headers;

    /// <summary>Records the exchange; throws <see cref="Governance.Audit.AuditUnavailableException"/> to fail closed.</summary>
    public ValueTask RecordAsync(InspectionContext context, ExchangeFacts facts, ExchangeEnd end, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = new State(recorder, context, facts, end, recorder.Time.GetUtcNow());
        return recorder.RecordAsync(context.ExchangeId, state, static (w, s) => Write(w, s), cancellationToken);
    }

    private static void Write(Utf8JsonWriter writer, in State s)
    {
        var (context, facts) = (s.Context, s.Facts);
        var findings = context.Findings;
        var (outcome, types) = s.End switch
        {
            ExchangeEnd.Completed => ("success", AccessAllowed),
            ExchangeEnd.Rejected => ("failure", AccessDenied),
            _ => ("unknown", AccessError),
        };
        EcsFields.WriteEvent(writer, new AuditEvent(context.ExchangeId, "event", "http-inspection", outcome)
        {
            Categories = findings.Count > 0 ? WebIntrusion : Web,
            Types = types,
            Reason = facts.RejectReason ?? Reason(s.End),
            Start = context.StartedAt,
            DurationNanoseconds = EcsFields.Nanoseconds(context.StartedAt, s.Now),
        }, Provider);
        WriteHttp(writer, facts);
        EcsFields.WriteUrl(writer, facts.Scheme, facts.Authority, facts.Path, s.Recorder.Redaction);
        EcsFields.WriteInObject(writer, "user_agent", "original", facts.UserAgent);
        EcsFields.WriteCaller(writer, facts.Subject, [], facts.Tenant);

        WriteGenAi(writer, context, facts);
        WriteRules(writer, findings);
        EcsFields.WriteTraceContext(writer, facts.Traceparent);
        WriteCustom(writer, context, facts, s.End);
    }

    private static string Reason(ExchangeEnd end) => end switch
    {
        ExchangeEnd.Completed => "completed",
        ExchangeEnd.Rejected => "rejected",
        ExchangeEnd.ProtocolViolation => "protocol_violation",
        ExchangeEnd.DependencyUnavailable => "dependency_unavailable",
        ExchangeEnd.InternalError => "internal_error",
        _ => "cancelled",
    };

    private static void WriteHttp(Utf8JsonWriter writer, ExchangeFacts facts)
    {
        if (facts.Method is null && facts.Status is null && facts.RequestId is null)
        {
            return;
        }

        writer.WriteStartObject("http");
        if (facts.Method is not null || facts.RequestId is not null)
        {
            writer.WriteStartObject("request");
            EcsFields.WriteIfSet(writer, "method", facts.Method);
            EcsFields.WriteIfSet(writer, "id", facts.RequestId);
            writer.WriteEndObject();
        }

        if (facts.Status is { } status)
        {
            writer.WriteStartObject("response");
            writer.WriteNumber("status_code", status);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteGenAi(Utf8JsonWriter writer, InspectionContext context, ExchangeFacts facts)
    {
        var genAi = context.GenAi;
        var model = facts.Model ?? genAi.RequestModel;
        if (model is null && genAi.MaxTokens is null && genAi.ResponseModel is null && genAi.ResponseId is null && genAi.Operation is null
            && context.InputTokens is null && context.OutputTokens is null)
        {
            return;
        }

        writer.WriteStartObject("gen_ai");
        EcsFields.WriteInObject(writer, "operation", "name", genAi.Operation);
        if (model is not null || genAi.MaxTokens is not null)
        {
            writer.WriteStartObject("request");
            EcsFields.WriteIfSet(writer, "model", model);
            if (genAi.MaxTokens is { } cap)
            {
                writer.WriteNumber("max_tokens", cap);
            }

            writer.WriteEndObject();
        }

        if (genAi.ResponseModel is not null || genAi.ResponseId is not null)
        {
            writer.WriteStartObject("response");
            EcsFields.WriteIfSet(writer, "id", genAi.ResponseId);
            EcsFields.WriteIfSet(writer, "model", genAi.ResponseModel);
            writer.WriteEndObject();
        }

        if (context.InputTokens is not null || context.OutputTokens is not null)
        {
            writer.WriteStartObject("usage");
            if (context.InputTokens is { } input)
            {
                writer.WriteNumber("input_tokens", input);
            }

            if (context.OutputTokens is { } output)
            {
                writer.WriteNumber("output_tokens", output);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteRules(Utf8JsonWriter writer, IReadOnlyList<Finding> findings)
    {
        if (findings.Count == 0)
        {
            return;
        }

        writer.WriteStartObject("rule");
        WriteDistinct(writer, "id", findings, static f => f.RuleId);
        WriteDistinct(writer, "category", findings, static f => f.Category);
        WriteDistinct(writer, "ruleset", findings, static f => f.Inspector);
        writer.WriteEndObject();
    }

    private static void WriteDistinct(Utf8JsonWriter writer, string name, IReadOnlyList<Finding> findings, Func<Finding, string?> select)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        writer.WriteStartArray(name);
        foreach (var finding in findings)
        {
            if (select(finding) is { } value && seen.Add(value))
            {
                writer.WriteStringValue(value);
            }
        }

        writer.WriteEndArray();
    }

    private static void WriteCustom(Utf8JsonWriter writer, InspectionContext context, ExchangeFacts facts, ExchangeEnd end)
    {
        writer.WriteStartObject("envoygovern");
        writer.WriteStartObject("exchange");
        writer.WriteString("id", context.ExchangeId);
        writer.WriteString("end", Reason(end));
        writer.WriteEndObject();
        EcsFields.WriteInObject(writer, "decision", "id", facts.DecisionId);
        EcsFields.WriteInObject(writer, "policy", "version", facts.PolicyVersion);

        EcsFields.WriteIfSet(writer, "canary_cluster", facts.CanaryCluster);
        WriteFindings(writer, context.Findings);
        if (facts.Headers.Count > 0)
        {
            writer.WriteStartObject("request_headers");
            foreach (var (name, value) in facts.Headers)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteFindings(Utf8JsonWriter writer, IReadOnlyList<Finding> findings)
    {
        if (findings.Count == 0)
        {
            return;
        }

        var score = 0;
        writer.WriteStartArray("findings");
        foreach (var finding in findings)
        {
            writer.WriteStartObject();
            writer.WriteString("inspector", finding.Inspector);
            writer.WriteString("rule_id", finding.RuleId);
            writer.WriteString("message", finding.Message);
            EcsFields.WriteIfSet(writer, "category", finding.Category);
            EcsFields.WriteIfSet(writer, "severity", finding.Severity);
            if (finding.Score is { } s)
            {
                writer.WriteNumber("score", s);
                score += s;
            }

            writer.WriteString("direction", finding.Direction == HttpDirection.Request ? "request" : "response");
            EcsFields.WriteIfSet(writer, "location", finding.Location);
            EcsFields.WriteIfSet(writer, "data", finding.Data);
            EcsFields.WriteArray(writer, "tags", finding.Tags);
            writer.WriteBoolean("blocking", finding.Blocking);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("anomaly_score", score);
    }

    private readonly record struct State(AuditRecorder Recorder, InspectionContext Context, ExchangeFacts Facts, ExchangeEnd End, DateTimeOffset Now);
}

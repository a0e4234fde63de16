using System.Text.Encodings.Web;
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
public sealed class ExchangeAudit
{
    private readonly AuditRecorder _recorder;

    // The allow-listed request headers' member names, escaped once: ,"name":
    private readonly Dictionary<string, byte[]> _headerMembers;

    /// <summary>Creates the exchange audit on <paramref name="recorder"/>'s stream.</summary>
    public ExchangeAudit(AuditRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        _recorder = recorder;
        _headerMembers = recorder.Headers.ToDictionary(h => h, MemberName, StringComparer.Ordinal);
    }

    /// <summary>Headers the facts may copy (the configured allow-list).</summary>
    public IReadOnlyList<string> AllowedHeaders => _recorder.Headers;

    /// <summary>Records the exchange; throws <see cref="Governance.Audit.AuditUnavailableException"/> to fail closed.</summary>
    public ValueTask RecordAsync(InspectionContext context, ExchangeFacts facts, ExchangeEnd end, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = new State(this, context, facts, end, _recorder.Time.GetUtcNow());
        return _recorder.RecordAsync(context.ExchangeId, state, static (AuditRecordWriter w, State s) => Write(w, s), cancellationToken);
    }

    private static byte[] MemberName(string name) =>
        [.. ",\""u8, .. JsonEncodedText.Encode(name, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes, .. "\":"u8];

    // Member by member as EcsFields and Utf8JsonWriter wrote this record before: the same bytes, in the same order
    // (ExchangeAuditBytesTests holds a record of every part).
    private static void Write(AuditRecordWriter w, in State s)
    {
        var (context, facts) = (s.Context, s.Facts);
        var findings = context.Findings;
        w.Member(",\"event\":{\"id\":"u8, context.ExchangeId);
        w.Raw(findings.Count > 0 ? ",\"kind\":\"event\",\"category\":[\"web\",\"intrusion_detection\"]"u8 : ",\"kind\":\"event\",\"category\":[\"web\"]"u8);
        w.Raw(s.End switch
        {
            ExchangeEnd.Completed => ",\"type\":[\"access\",\"allowed\"],\"action\":\"http-inspection\",\"outcome\":\"success\""u8,
            ExchangeEnd.Rejected => ",\"type\":[\"access\",\"denied\"],\"action\":\"http-inspection\",\"outcome\":\"failure\""u8,
            _ => ",\"type\":[\"access\",\"error\"],\"action\":\"http-inspection\",\"outcome\":\"unknown\""u8,
        });
        w.Member(",\"reason\":"u8, facts.RejectReason ?? Reason(s.End));
        w.Raw(",\"start\":"u8);
        w.Timestamp(context.StartedAt.UtcDateTime);
        w.Raw(",\"duration\":"u8);
        w.Number(EcsFields.Nanoseconds(context.StartedAt, s.Now));
        w.Raw(",\"dataset\":\"envoygovern.audit\",\"module\":\"envoygovern\",\"provider\":\"extproc\"}"u8);
        WriteHttp(w, facts);
        EcsRecordFields.WriteUrl(w, facts.Scheme, facts.Authority, facts.Path, s.Audit._recorder.Redaction);
        EcsRecordFields.WriteInObject(w, ",\"user_agent\":{\"original\":"u8, facts.UserAgent);
        EcsRecordFields.WriteCaller(w, facts.Subject, [], facts.Tenant);
        WriteGenAi(w, context, facts);
        WriteRules(w, findings);
        EcsRecordFields.WriteTraceContext(w, facts.Traceparent);
        WriteCustom(w, s);
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

    private static void WriteHttp(AuditRecordWriter w, ExchangeFacts facts)
    {
        if (facts.Method is null && facts.Status is null && facts.RequestId is null)
        {
            return;
        }

        w.Raw(",\"http\":{"u8);
        var first = true;
        if (facts.Method is not null || facts.RequestId is not null)
        {
            EcsRecordFields.Name(w, ref first, ",\"request\":{"u8);
            var inner = true;
            MemberIfSet(w, ref inner, ",\"method\":"u8, facts.Method);
            MemberIfSet(w, ref inner, ",\"id\":"u8, facts.RequestId);
            w.Raw("}"u8);
        }

        if (facts.Status is { } status)
        {
            EcsRecordFields.Name(w, ref first, ",\"response\":{\"status_code\":"u8);
            w.Number(status);
            w.Raw("}"u8);
        }

        w.Raw("}"u8);
    }

    // Read only: what an exchange without model facts writes (nothing but ExtAuthz's model, if named).
    private static readonly GenAiFacts NoGenAi = new();

    private static void WriteGenAi(AuditRecordWriter w, InspectionContext context, ExchangeFacts facts)
    {
        var genAi = context.RecordedGenAi ?? NoGenAi;
        var model = facts.Model ?? genAi.RequestModel;
        if (model is null && genAi.MaxTokens is null && genAi.ResponseModel is null && genAi.ResponseId is null && genAi.Operation is null
            && context.InputTokens is null && context.OutputTokens is null)
        {
            return;
        }

        w.Raw(",\"gen_ai\":{"u8);
        var first = true;
        if (genAi.Operation is { } operation)
        {
            EcsRecordFields.Name(w, ref first, ",\"operation\":{\"name\":"u8);
            w.Text(operation);
            w.Raw("}"u8);
        }

        if (model is not null || genAi.MaxTokens is not null)
        {
            EcsRecordFields.Name(w, ref first, ",\"request\":{"u8);
            var inner = true;
            MemberIfSet(w, ref inner, ",\"model\":"u8, model);
            NumberIfSet(w, ref inner, ",\"max_tokens\":"u8, genAi.MaxTokens);
            w.Raw("}"u8);
        }

        if (genAi.ResponseModel is not null || genAi.ResponseId is not null)
        {
            EcsRecordFields.Name(w, ref first, ",\"response\":{"u8);
            var inner = true;
            MemberIfSet(w, ref inner, ",\"id\":"u8, genAi.ResponseId);
            MemberIfSet(w, ref inner, ",\"model\":"u8, genAi.ResponseModel);
            w.Raw("}"u8);
        }

        if (context.InputTokens is not null || context.OutputTokens is not null)
        {
            EcsRecordFields.Name(w, ref first, ",\"usage\":{"u8);
            var inner = true;
            NumberIfSet(w, ref inner, ",\"input_tokens\":"u8, context.InputTokens);
            NumberIfSet(w, ref inner, ",\"output_tokens\":"u8, context.OutputTokens);
            w.Raw("}"u8);
        }

        w.Raw("}"u8);
    }

    private static void WriteRules(AuditRecordWriter w, IReadOnlyList<Finding> findings)
    {
        if (findings.Count == 0)
        {
            return;
        }

        w.Raw(",\"rule\":{\"id\":["u8);
        WriteDistinct(w, findings, static f => f.RuleId);
        w.Raw("],\"category\":["u8);
        WriteDistinct(w, findings, static f => f.Category);
        w.Raw("],\"ruleset\":["u8);
        WriteDistinct(w, findings, static f => f.Inspector);
        w.Raw("]}"u8);
    }

    // Each value once, in order of first appearance; a finding's value is looked for among the earlier findings'
    // (a handful per exchange) instead of in a set made per array.
    private static void WriteDistinct(AuditRecordWriter w, IReadOnlyList<Finding> findings, Func<Finding, string?> select)
    {
        var first = true;
        for (var i = 0; i < findings.Count; i++)
        {
            if (select(findings[i]) is not { } value || SeenBefore(findings, i, value, select))
            {
                continue;
            }

            if (!first)
            {
                w.Raw(","u8);
            }

            first = false;
            w.Text(value);
        }
    }

    private static bool SeenBefore(IReadOnlyList<Finding> findings, int index, string value, Func<Finding, string?> select)
    {
        for (var j = 0; j < index; j++)
        {
            if (string.Equals(select(findings[j]), value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteCustom(AuditRecordWriter w, in State s)
    {
        var (context, facts) = (s.Context, s.Facts);
        w.Member(",\"envoygovern\":{\"exchange\":{\"id\":"u8, context.ExchangeId);
        w.Member(",\"end\":"u8, Reason(s.End));
        w.Raw("}"u8);
        EcsRecordFields.WriteInObject(w, ",\"decision\":{\"id\":"u8, facts.DecisionId);
        EcsRecordFields.WriteInObject(w, ",\"policy\":{\"version\":"u8, facts.PolicyVersion);
        w.MemberIfSet(",\"canary_cluster\":"u8, facts.CanaryCluster);
        WriteFindings(w, context.Findings);
        WriteHeaders(w, facts, s.Audit._headerMembers);
        w.Raw("}"u8);
    }

    private static void WriteFindings(AuditRecordWriter w, IReadOnlyList<Finding> findings)
    {
        if (findings.Count == 0)
        {
            return;
        }

        var score = 0;
        w.Raw(",\"findings\":["u8);
        for (var i = 0; i < findings.Count; i++)
        {
            var finding = findings[i];
            w.Member(i == 0 ? "{\"inspector\":"u8 : ",{\"inspector\":"u8, finding.Inspector);
            w.Member(",\"rule_id\":"u8, finding.RuleId);
            w.Member(",\"message\":"u8, finding.Message);
            w.MemberIfSet(",\"category\":"u8, finding.Category);
            w.MemberIfSet(",\"severity\":"u8, finding.Severity);
            if (finding.Score is { } points)
            {
                w.Raw(",\"score\":"u8);
                w.Number(points);
                score += points;
            }

            w.Raw(finding.Direction == HttpDirection.Request ? ",\"direction\":\"request\""u8 : ",\"direction\":\"response\""u8);
            w.MemberIfSet(",\"location\":"u8, finding.Location);
            w.MemberIfSet(",\"data\":"u8, finding.Data);
            w.Raw(",\"tags\":["u8);
            var tags = finding.Tags;
            for (var t = 0; t < tags.Count; t++)
            {
                if (t > 0)
                {
                    w.Raw(","u8);
                }

                w.Text(tags[t]);
            }

            w.Raw(finding.Blocking ? "],\"blocking\":true}"u8 : "],\"blocking\":false}"u8);
        }

        w.Raw("],\"anomaly_score\":"u8);
        w.Number(score);
    }

    private static void WriteHeaders(AuditRecordWriter w, ExchangeFacts facts, Dictionary<string, byte[]> members)
    {
        var headers = facts.Headers;
        if (headers.Count == 0)
        {
            return;
        }

        w.Raw(",\"request_headers\":{"u8);
        var first = true;
        foreach (var (name, value) in headers)
        {
            // The facts copy only allow-listed names; any other is encoded here rather than dropped.
            EcsRecordFields.Name(w, ref first, members.TryGetValue(name, out var member) ? member : MemberName(name));
            w.Text(value);
        }

        w.Raw("}"u8);
    }

    private static void MemberIfSet(AuditRecordWriter w, ref bool first, ReadOnlySpan<byte> commaName, string? value)
    {
        if (value is not null)
        {
            EcsRecordFields.Name(w, ref first, commaName);
            w.Text(value);
        }
    }

    private static void NumberIfSet(AuditRecordWriter w, ref bool first, ReadOnlySpan<byte> commaName, long? value)
    {
        if (value is { } number)
        {
            EcsRecordFields.Name(w, ref first, commaName);
            w.Number(number);
        }
    }

    private readonly record struct State(ExchangeAudit Audit, InspectionContext Context, ExchangeFacts Facts, ExchangeEnd End, DateTimeOffset Now);
}

using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Audit.Recording;

namespace EnvoyGovern.ExtAuthz.Audit;

/// <summary>
/// The audit record of one Check: the decision with its reason and status, who asked (ECS <c>user.*</c>,
/// tenant as <c>organization.id</c>), what for (<c>http.*</c>, <c>url.*</c> with secret query values redacted,
/// <c>gen_ai.request.model</c>), the rule, quota and dry-run outcome, and the trace. Credentials never appear:
/// only allow-listed headers are copied, and credential headers can never be allow-listed.
/// </summary>
public sealed class DecisionAudit : IDecisionAudit
{
    private readonly AuditRecorder _recorder;

    // The allow-listed request headers' member names, escaped once: ,"name": (the first one without its comma).
    private readonly (string Header, byte[] Member)[] _headers;

    private readonly CallerFragments _callers = new();

    /// <summary>Creates the Check's audit on <paramref name="recorder"/>'s stream.</summary>
    public DecisionAudit(AuditRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        _recorder = recorder;
        _headers = [.. recorder.Headers.Select(h => (h, MemberName(h)))];
    }

    private static byte[] MemberName(string name) =>
        [.. ",\""u8, .. JsonEncodedText.Encode(name, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes, .. "\":"u8];

    /// <inheritdoc />
    public ValueTask RecordAsync(CheckContext check, Decision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(decision);
        var state = new State(this, check, decision, null, _recorder.Time.GetUtcNow());
        return _recorder.RecordAsync(check.DecisionId, state, static (AuditRecordWriter w, State s) => Write(w, s), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask RecordFailureAsync(CheckContext check, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        var state = new State(this, check, null, reason, _recorder.Time.GetUtcNow());
        return _recorder.RecordAsync(check.DecisionId, state, static (AuditRecordWriter w, State s) => Write(w, s), cancellationToken);
    }

    // Member by member in the order EcsFields and Utf8JsonWriter wrote this record before, less the members said twice
    // or saying nothing (bench/README.md, "Audit cost, seventh pass").
    private static void Write(AuditRecordWriter w, in State s)
    {
        var check = s.Check;
        var decision = s.Decision;
        var allowed = decision?.Outcome == DecisionOutcome.Allow;
        w.Member(",\"event\":{\"id\":"u8, check.DecisionId);
        w.Raw(decision is null
            ? ",\"kind\":\"event\",\"category\":[\"web\"],\"type\":[\"access\",\"error\"],\"action\":\"authorization-check\",\"outcome\":\"unknown\""u8
            : allowed
                ? ",\"kind\":\"event\",\"category\":[\"web\"],\"type\":[\"access\",\"allowed\"],\"action\":\"authorization-check\",\"outcome\":\"success\""u8
                : ",\"kind\":\"event\",\"category\":[\"web\"],\"type\":[\"access\",\"denied\"],\"action\":\"authorization-check\",\"outcome\":\"failure\""u8);
        w.MemberIfSet(",\"reason\":"u8, decision?.Reason ?? s.Failure);
        w.Raw(",\"start\":"u8);
        w.Timestamp(check.ReceivedAt.UtcDateTime);
        w.Raw(",\"duration\":"u8);
        w.Number(EcsFields.Nanoseconds(check.ReceivedAt, s.End));
        w.Raw(",\"dataset\":\"envoygovern.audit\",\"module\":\"envoygovern\",\"provider\":\"extauthz\"}"u8);
        w.MemberIfSet(",\"message\":"u8, decision?.Message);
        WriteHttp(w, check, decision);
        var http = check.Http;
        var recorder = s.Audit._recorder;
        EcsRecordFields.WriteUrl(w, string.IsNullOrEmpty(http.Scheme) ? null : http.Scheme, http.Host, http.Path, recorder.Redaction);
        WriteSource(w, check);
        if (MemberFromHeader(w, ",\"user_agent\":{\"original\":"u8, http, "user-agent"))
        {
            w.Raw("}"u8);
        }
        var identity = check.Identity;
        var caller = identity is null ? null : s.Audit._callers.Find(identity);
        if (caller is not null)
        {
            w.Raw(caller.User);
        }
        else
        {
            CallerFragments.WriteUser(w, identity);
        }

        var marks = Marks.Of(check);
        // No rule.ruleset: it was the same constant in every Check record (event.provider says whose rule it is).
        EcsRecordFields.WriteInObject(w, ",\"rule\":{\"name\":"u8, marks.Rule);

        if (check.Model is { } model)
        {
            w.Member(",\"gen_ai\":{\"request\":{\"model\":"u8, model);
            w.Raw("}}"u8);
        }

        WriteTraceContext(w, http);
        WriteCustom(w, check, decision, marks, caller, s.Audit._headers);
    }

    private static void WriteHttp(AuditRecordWriter w, CheckContext check, Decision? decision)
    {
        var http = check.Http;
        w.Member(",\"http\":{\"request\":{\"method\":"u8, http.Method);
        if (http.IdUtf8.IsEmpty)
        {
            MemberFromHeader(w, ",\"id\":"u8, http, "x-request-id");
        }
        else
        {
            w.Raw(",\"id\":"u8);
            w.TextUtf8(http.IdUtf8);
        }

        MemberFromHeader(w, ",\"mime_type\":"u8, http, "content-type");
        if (http.Size > 0)
        {
            w.Raw(",\"body\":{\"bytes\":"u8);
            w.Number(http.Size);
            w.Raw("}"u8);
        }

        w.Raw("}"u8);
        if (decision is { Outcome: DecisionOutcome.Deny })
        {
            w.Raw(",\"response\":{\"status_code\":"u8);
            w.Number(decision.HttpStatus);
            w.Raw("}"u8);
        }

        if (http.Protocol.StartsWith("HTTP/", StringComparison.Ordinal))
        {
            w.Raw(",\"version\":"u8);
            w.Text(http.Protocol.AsSpan("HTTP/".Length));
        }

        w.Raw("}"u8);
    }

    private static void WriteSource(AuditRecordWriter w, CheckContext check)
    {
        var address = check.Request.SourceAddress;
        if (string.IsNullOrEmpty(address))
        {
            return;
        }

        w.Member(",\"source\":{\"address\":"u8, address);
        // Validated without an IPAddress object: the record allocates nothing it does not keep.
        if (System.Net.IPAddress.IsValid(address))
        {
            w.Member(",\"ip\":"u8, address);
        }

        var port = check.Request.SourcePort;
        if (port > 0)
        {
            w.Raw(",\"port\":"u8);
            w.Number(port);
        }

        w.Raw("}"u8);
    }

    private static void WriteCustom(
        AuditRecordWriter w, CheckContext check, Decision? decision, in Marks marks, CallerFragments.Entry? caller, (string Header, byte[] Member)[] headers)
    {
        // The decision id stays beside event.id: it is the key ExtProc's exchange records share. Its outcome is not
        // repeated here: event.outcome and event.type (allowed, denied, error) say it.
        w.Member(",\"envoygovern\":{\"decision\":{\"id\":"u8, check.DecisionId);
        w.MemberIfSet(",\"step\":"u8, decision?.DecidedBy);
        w.Raw("}"u8);
        EcsRecordFields.WriteInObject(w, ",\"policy\":{\"version\":"u8, check.PolicyVersion);
        if (caller is not null)
        {
            w.Raw(caller.Identified);
        }
        else if (check.Identity is { } identity)
        {
            CallerFragments.WriteIdentity(w, identity);
        }

        w.MemberIfSet(",\"region\":"u8, marks.Region);
        w.MemberIfSet(",\"model_version\":"u8, check.ModelVersion);
        w.MemberIfSet(",\"quota\":"u8, marks.Quota);
        // Only when a dry-run rule (or an all-dry-run policy) would have denied: "false" was written on every other
        // record and said nothing, since a dry-run decision is only ever a denial.
        if (marks.DryRunDecision == "deny")
        {
            w.Raw(",\"dry_run\":{\"would_deny\":true"u8);
            w.MemberIfSet(",\"rule\":"u8, marks.DryRunRule);
            w.Raw("}"u8);
        }
        w.MemberIfSet(",\"canary_cluster\":"u8, marks.Cluster);
        WriteHeaders(w, check, headers);
        w.Raw("}"u8);
    }

    private static void WriteHeaders(AuditRecordWriter w, CheckContext check, (string Header, byte[] Member)[] headers)
    {
        var http = check.Http;
        var first = true;
        foreach (var (header, member) in headers)
        {
            string? text = null;
            var utf8 = ReadOnlySpan<byte>.Empty;
            if (http.HasHeaderMap ? (text = http.GetHeader(header)) is null : !http.TryGetHeaderUtf8(header, out utf8))
            {
                continue;
            }

            if (first)
            {
                w.Raw(",\"request_headers\":{"u8);
            }

            EcsRecordFields.Name(w, ref first, member);
            if (text is null)
            {
                w.TextUtf8(utf8);
            }
            else
            {
                w.Text(text);
            }
        }

        if (!first)
        {
            w.Raw("}"u8);
        }
    }

    // Header values are copied from the request's bytes (no string per header and record) unless Envoy sent
    // header_map, whose values GetHeader decodes and joins: the same text either way.
    private static bool MemberFromHeader(AuditRecordWriter w, ReadOnlySpan<byte> name, HttpRequestView http, string header)
    {
        if (http.HasHeaderMap)
        {
            if (http.GetHeader(header) is not { } text)
            {
                return false;
            }

            w.Member(name, text);
            return true;
        }

        if (!http.TryGetHeaderUtf8(header, out var value))
        {
            return false;
        }

        w.Raw(name);
        w.TextUtf8(value);
        return true;
    }

    private static void WriteTraceContext(AuditRecordWriter w, HttpRequestView http)
    {
        if (!http.HasHeaderMap && http.TryGetHeaderUtf8("traceparent", out var value) && value.Length <= 128 && Ascii.IsValid(value))
        {
            // ASCII decodes byte for byte: widened on the stack instead of a string.
            Span<char> text = stackalloc char[value.Length];
            Ascii.ToUtf16(value, text, out _);
            EcsRecordFields.WriteTraceContext(w, text);
            return;
        }

        // Absent (nothing written), header_map, or not ASCII (trimmed of Unicode spaces as before): decoded.
        EcsRecordFields.WriteTraceContext(w, http.GetHeader("traceparent"));
    }

    // The decision's metadata that the record reads, found in one pass (the first value of each key, as a lookup per
    // key found it): six lookups were six scans of the list through its interface.
    private readonly record struct Marks(string? Rule, string? Region, string? Quota, string? DryRunDecision, string? DryRunRule, string? Cluster)
    {
        public static Marks Of(CheckContext check)
        {
            string? rule = null, region = null, quota = null, dryRunDecision = null, dryRunRule = null, cluster = null;
            var metadata = check.Metadata;
            for (var i = 0; i < metadata.Count; i++)
            {
                var (key, value) = metadata[i];
                switch (key)
                {
                    case "rule":
                        rule ??= value;
                        break;
                    case "region":
                        region ??= value;
                        break;
                    case "quota":
                        quota ??= value;
                        break;
                    case "dry_run_decision":
                        dryRunDecision ??= value;
                        break;
                    case "dry_run_rule":
                        dryRunRule ??= value;
                        break;
                    case "cluster":
                        cluster ??= value;
                        break;
                    default:
                        break;
                }
            }

            return new Marks(rule, region, quota, dryRunDecision, dryRunRule, cluster);
        }
    }

    private readonly record struct State(DecisionAudit Audit, CheckContext Check, Decision? Decision, string? Failure, DateTimeOffset End);
}

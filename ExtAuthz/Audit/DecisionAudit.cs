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
public sealed class DecisionAudit(AuditRecorder recorder)
{
    private const string Provider = "extauthz";

    // Per-record arrays would be garbage on every Check.
    private static readonly string[] Web = ["web"];
    private static readonly string[] Allowed = ["access", "allowed"];
    private static readonly string[] Denied = ["access", "denied"];
    private static readonly string[] Failed = ["access", "error"];

    /// <summary>Records a decision; throws <see cref="Governance.Audit.AuditUnavailableException"/> to fail closed.</summary>
    public ValueTask RecordAsync(CheckContext check, Decision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(decision);
        var state = new State(recorder, check, decision, null, recorder.Time.GetUtcNow());
        return recorder.RecordAsync(check.DecisionId, state, static (w, s) => Write(w, s), cancellationToken);
    }

    /// <summary>Records a Check that ended without a decision (a dependency was unavailable, or an internal error).</summary>
    public ValueTask RecordFailureAsync(CheckContext check, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        var state = new State(recorder, check, null, reason, recorder.Time.GetUtcNow());
        return recorder.RecordAsync(check.DecisionId, state, static (w, s) => Write(w, s), cancellationToken);
    }

    private static void Write(Utf8JsonWriter writer, in State s)
    {
        var check = s.Check;
        var decision = s.Decision;
        var allowed = decision?.Outcome == DecisionOutcome.Allow;
        EcsFields.WriteEvent(writer, new AuditEvent(check.DecisionId, "event", "authorization-check", decision is null ? "unknown" : allowed ? "success" : "failure")
        {
            Categories = Web,
            Types = decision is null ? Failed : allowed ? Allowed : Denied,
            Reason = decision?.Reason ?? s.Failure,
            Start = check.ReceivedAt,
            DurationNanoseconds = EcsFields.Nanoseconds(check.ReceivedAt, s.End),
        }, Provider);
        EcsFields.WriteIfSet(writer, "message", decision?.Message);
        WriteHttp(writer, check, decision);
        var http = check.Http;
        EcsFields.WriteUrl(writer, string.IsNullOrEmpty(http.Scheme) ? null : http.Scheme, http.Host, http.Path, s.Recorder.Redaction);
        WriteSource(writer, check);
        EcsFields.WriteInObject(writer, "user_agent", "original", check.GetHeader("user-agent"));
        var identity = check.Identity;
        EcsFields.WriteCaller(writer, identity?.Subject, identity?.Groups ?? [], identity?.Tenant);
        if (Metadata(check, "rule") is { } rule)
        {
            writer.WriteStartObject("rule");
            writer.WriteString("name", rule);
            writer.WriteString("ruleset", "envoygovern-policy");
            writer.WriteEndObject();
        }

        if (check.Model is { } model)
        {
            writer.WriteStartObject("gen_ai");
            EcsFields.WriteInObject(writer, "request", "model", model);
            writer.WriteEndObject();
        }

        EcsFields.WriteTraceContext(writer, check.GetHeader("traceparent"));
        WriteCustom(writer, check, decision, s.Recorder);
    }

    private static void WriteHttp(Utf8JsonWriter writer, CheckContext check, Decision? decision)
    {
        var http = check.Http;
        writer.WriteStartObject("http");
        writer.WriteStartObject("request");
        writer.WriteString("method", http.Method);
        EcsFields.WriteIfSet(writer, "id", string.IsNullOrEmpty(http.Id) ? check.GetHeader("x-request-id") : http.Id);
        if (check.GetHeader("content-type") is { } type)
        {
            writer.WriteString("mime_type", type);
        }

        if (http.Size > 0)
        {
            writer.WriteStartObject("body");
            writer.WriteNumber("bytes", http.Size);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        if (decision is { Outcome: DecisionOutcome.Deny })
        {
            writer.WriteStartObject("response");
            writer.WriteNumber("status_code", decision.HttpStatus);
            writer.WriteEndObject();
        }

        if (http.Protocol.StartsWith("HTTP/", StringComparison.Ordinal))
        {
            writer.WriteString("version", http.Protocol.AsSpan("HTTP/".Length));
        }

        writer.WriteEndObject();
    }

    private static void WriteSource(Utf8JsonWriter writer, CheckContext check)
    {
        var socket = check.Request.Attributes.Source?.Address?.SocketAddress;
        if (socket is null || string.IsNullOrEmpty(socket.Address))
        {
            return;
        }

        writer.WriteStartObject("source");
        writer.WriteString("address", socket.Address);
        if (System.Net.IPAddress.TryParse(socket.Address, out _))
        {
            writer.WriteString("ip", socket.Address);
        }

        if (socket.PortValue > 0)
        {
            writer.WriteNumber("port", socket.PortValue);
        }

        writer.WriteEndObject();
    }

    private static void WriteCustom(Utf8JsonWriter writer, CheckContext check, Decision? decision, AuditRecorder recorder)
    {
        writer.WriteStartObject("envoygovern");
        writer.WriteStartObject("decision");
        writer.WriteString("id", check.DecisionId);
        writer.WriteString("outcome", decision is null ? "error" : decision.Outcome == DecisionOutcome.Allow ? "allow" : "deny");
        EcsFields.WriteIfSet(writer, "step", decision?.DecidedBy);
        writer.WriteEndObject();
        EcsFields.WriteInObject(writer, "policy", "version", check.PolicyVersion);

        if (check.Identity is { } identity)
        {
            writer.WriteStartObject("identity");
            writer.WriteString("source", identity.Source);
            EcsFields.WriteIfSet(writer, "credential_id", identity.CredentialId);
            writer.WriteEndObject();
        }

        EcsFields.WriteIfSet(writer, "region", Metadata(check, "region"));
        EcsFields.WriteIfSet(writer, "model_version", check.ModelVersion);
        EcsFields.WriteIfSet(writer, "quota", Metadata(check, "quota"));
        var dryRunDecision = Metadata(check, "dry_run_decision");
        writer.WriteStartObject("dry_run");
        writer.WriteBoolean("would_deny", dryRunDecision == "deny");
        EcsFields.WriteIfSet(writer, "rule", Metadata(check, "dry_run_rule"));
        writer.WriteEndObject();
        EcsFields.WriteIfSet(writer, "canary_cluster", Metadata(check, "cluster"));
        WriteHeaders(writer, check, recorder.Headers);
        writer.WriteEndObject();
    }

    private static void WriteHeaders(Utf8JsonWriter writer, CheckContext check, IReadOnlyList<string> allowed)
    {
        var started = false;
        foreach (var name in allowed)
        {
            if (check.GetHeader(name) is not { } value)
            {
                continue;
            }

            if (!started)
            {
                writer.WriteStartObject("request_headers");
                started = true;
            }

            writer.WriteString(name, value);
        }

        if (started)
        {
            writer.WriteEndObject();
        }
    }

    private static string? Metadata(CheckContext check, string key)
    {
        foreach (var (name, value) in check.Metadata)
        {
            if (name == key)
            {
                return value;
            }
        }

        return null;
    }

    private readonly record struct State(AuditRecorder Recorder, CheckContext Check, Decision? Decision, string? Failure, DateTimeOffset End);
}

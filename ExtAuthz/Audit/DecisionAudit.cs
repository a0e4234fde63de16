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
public sealed class DecisionAudit(AuditRecorder recorder) : IDecisionAudit
{
    private const string Provider = "extauthz";

    // Per-record arrays would be garbage on every Check.
    private static readonly string[] Web = ["web"];
    private static readonly string[] Allowed = ["access", "allowed"];
    private static readonly string[] Denied = ["access", "denied"];
    private static readonly string[] Failed = ["access", "error"];

    private static readonly JsonEncodedText RulesetValue = JsonEncodedText.Encode("envoygovern-policy");
    private static readonly JsonEncodedText AllowValue = JsonEncodedText.Encode("allow");
    private static readonly JsonEncodedText DenyValue = JsonEncodedText.Encode("deny");
    private static readonly JsonEncodedText ErrorValue = JsonEncodedText.Encode("error");

    // Pre-encoded member names: a string name is transcoded and checked for escaping on every write.
    private static readonly JsonEncodedText AddressName = JsonEncodedText.Encode("address");
    private static readonly JsonEncodedText BodyName = JsonEncodedText.Encode("body");
    private static readonly JsonEncodedText BytesName = JsonEncodedText.Encode("bytes");
    private static readonly JsonEncodedText CanaryClusterName = JsonEncodedText.Encode("canary_cluster");
    private static readonly JsonEncodedText CredentialIdName = JsonEncodedText.Encode("credential_id");
    private static readonly JsonEncodedText DecisionName = JsonEncodedText.Encode("decision");
    private static readonly JsonEncodedText DryRunName = JsonEncodedText.Encode("dry_run");
    private static readonly JsonEncodedText EnvoygovernName = JsonEncodedText.Encode("envoygovern");
    private static readonly JsonEncodedText GenAiName = JsonEncodedText.Encode("gen_ai");
    private static readonly JsonEncodedText HttpName = JsonEncodedText.Encode("http");
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText IdentityName = JsonEncodedText.Encode("identity");
    private static readonly JsonEncodedText IpName = JsonEncodedText.Encode("ip");
    private static readonly JsonEncodedText MessageName = JsonEncodedText.Encode("message");
    private static readonly JsonEncodedText MethodName = JsonEncodedText.Encode("method");
    private static readonly JsonEncodedText MimeTypeName = JsonEncodedText.Encode("mime_type");
    private static readonly JsonEncodedText ModelName = JsonEncodedText.Encode("model");
    private static readonly JsonEncodedText ModelVersionName = JsonEncodedText.Encode("model_version");
    private static readonly JsonEncodedText NameName = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText OriginalName = JsonEncodedText.Encode("original");
    private static readonly JsonEncodedText OutcomeName = JsonEncodedText.Encode("outcome");
    private static readonly JsonEncodedText PolicyName = JsonEncodedText.Encode("policy");
    private static readonly JsonEncodedText PortName = JsonEncodedText.Encode("port");
    private static readonly JsonEncodedText QuotaName = JsonEncodedText.Encode("quota");
    private static readonly JsonEncodedText RegionName = JsonEncodedText.Encode("region");
    private static readonly JsonEncodedText RequestName = JsonEncodedText.Encode("request");
    private static readonly JsonEncodedText RequestHeadersName = JsonEncodedText.Encode("request_headers");
    private static readonly JsonEncodedText ResponseName = JsonEncodedText.Encode("response");
    private static readonly JsonEncodedText RuleName = JsonEncodedText.Encode("rule");
    private static readonly JsonEncodedText RulesetName = JsonEncodedText.Encode("ruleset");
    private static readonly JsonEncodedText SourceName = JsonEncodedText.Encode("source");
    private static readonly JsonEncodedText StatusCodeName = JsonEncodedText.Encode("status_code");
    private static readonly JsonEncodedText StepName = JsonEncodedText.Encode("step");
    private static readonly JsonEncodedText UserAgentName = JsonEncodedText.Encode("user_agent");
    private static readonly JsonEncodedText VersionName = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText WouldDenyName = JsonEncodedText.Encode("would_deny");

    /// <inheritdoc />
    public ValueTask RecordAsync(CheckContext check, Decision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(decision);
        var state = new State(recorder, check, decision, null, recorder.Time.GetUtcNow());
        return recorder.RecordAsync(check.DecisionId, state, static (w, s) => Write(w, s), cancellationToken);
    }

    /// <inheritdoc />
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
        EcsFields.WriteIfSet(writer, MessageName, decision?.Message);
        WriteHttp(writer, check, decision);
        var http = check.Http;
        EcsFields.WriteUrl(writer, string.IsNullOrEmpty(http.Scheme) ? null : http.Scheme, http.Host, http.Path, s.Recorder.Redaction);
        WriteSource(writer, check);
        EcsFields.WriteInObject(writer, UserAgentName, OriginalName, check.GetHeader("user-agent"));
        var identity = check.Identity;
        EcsFields.WriteCaller(writer, identity?.Subject, identity?.Groups ?? [], identity?.Tenant);
        if (Metadata(check, "rule") is { } rule)
        {
            writer.WriteStartObject(RuleName);
            writer.WriteString(NameName, rule);
            writer.WriteString(RulesetName, RulesetValue);
            writer.WriteEndObject();
        }

        if (check.Model is { } model)
        {
            writer.WriteStartObject(GenAiName);
            EcsFields.WriteInObject(writer, RequestName, ModelName, model);
            writer.WriteEndObject();
        }

        EcsFields.WriteTraceContext(writer, check.GetHeader("traceparent"));
        WriteCustom(writer, check, decision, s.Recorder);
    }

    private static void WriteHttp(Utf8JsonWriter writer, CheckContext check, Decision? decision)
    {
        var http = check.Http;
        writer.WriteStartObject(HttpName);
        writer.WriteStartObject(RequestName);
        writer.WriteString(MethodName, http.Method);
        EcsFields.WriteIfSet(writer, IdName, string.IsNullOrEmpty(http.Id) ? check.GetHeader("x-request-id") : http.Id);
        if (check.GetHeader("content-type") is { } type)
        {
            writer.WriteString(MimeTypeName, type);
        }

        if (http.Size > 0)
        {
            writer.WriteStartObject(BodyName);
            writer.WriteNumber(BytesName, http.Size);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        if (decision is { Outcome: DecisionOutcome.Deny })
        {
            writer.WriteStartObject(ResponseName);
            writer.WriteNumber(StatusCodeName, decision.HttpStatus);
            writer.WriteEndObject();
        }

        if (http.Protocol.StartsWith("HTTP/", StringComparison.Ordinal))
        {
            writer.WriteString(VersionName, http.Protocol.AsSpan("HTTP/".Length));
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

        writer.WriteStartObject(SourceName);
        writer.WriteString(AddressName, socket.Address);
        if (System.Net.IPAddress.TryParse(socket.Address, out _))
        {
            writer.WriteString(IpName, socket.Address);
        }

        if (socket.PortValue > 0)
        {
            writer.WriteNumber(PortName, socket.PortValue);
        }

        writer.WriteEndObject();
    }

    private static void WriteCustom(Utf8JsonWriter writer, CheckContext check, Decision? decision, AuditRecorder recorder)
    {
        writer.WriteStartObject(EnvoygovernName);
        writer.WriteStartObject(DecisionName);
        writer.WriteString(IdName, check.DecisionId);
        writer.WriteString(OutcomeName, decision is null ? ErrorValue : decision.Outcome == DecisionOutcome.Allow ? AllowValue : DenyValue);
        EcsFields.WriteIfSet(writer, StepName, decision?.DecidedBy);
        writer.WriteEndObject();
        EcsFields.WriteInObject(writer, PolicyName, VersionName, check.PolicyVersion);

        if (check.Identity is { } identity)
        {
            writer.WriteStartObject(IdentityName);
            writer.WriteString(SourceName, identity.Source);
            EcsFields.WriteIfSet(writer, CredentialIdName, identity.CredentialId);
            writer.WriteEndObject();
        }

        EcsFields.WriteIfSet(writer, RegionName, Metadata(check, "region"));
        EcsFields.WriteIfSet(writer, ModelVersionName, check.ModelVersion);
        EcsFields.WriteIfSet(writer, QuotaName, Metadata(check, "quota"));
        var dryRunDecision = Metadata(check, "dry_run_decision");
        writer.WriteStartObject(DryRunName);
        writer.WriteBoolean(WouldDenyName, dryRunDecision == "deny");
        EcsFields.WriteIfSet(writer, RuleName, Metadata(check, "dry_run_rule"));
        writer.WriteEndObject();
        EcsFields.WriteIfSet(writer, CanaryClusterName, Metadata(check, "cluster"));
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
                writer.WriteStartObject(RequestHeadersName);
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
        // By index: foreach over the interface would box an enumerator per lookup, six per record.
        var metadata = check.Metadata;
        for (var i = 0; i < metadata.Count; i++)
        {
            if (metadata[i].Key == key)
            {
                return metadata[i].Value;
            }
        }

        return null;
    }

    private readonly record struct State(AuditRecorder Recorder, CheckContext Check, Decision? Decision, string? Failure, DateTimeOffset End);
}

using System.Text.Json;
using EnvoyGovern.Governance.Policy.Runtime;
using Microsoft.Extensions.Logging;

namespace EnvoyGovern.Governance.Audit.Recording;

/// <summary>One audit record per policy load, reload and rejected reload, with both versions and the errors.</summary>
internal sealed class PolicyAuditObserver(AuditRecorder recorder, ILogger<PolicyAuditObserver> logger) : IPolicyChangeObserver
{
    public void OnPolicyChanged(PolicyChange change)
    {
        // Reloads run on the watcher, not on a request: the record is written in the background, and a failure
        // is logged (3085) rather than stopping the reload.
        _ = WriteAsync(change);
    }

    private async Task WriteAsync(PolicyChange change)
    {
        var action = Action(change.Kind);
        try
        {
            var id = Guid.CreateVersion7(recorder.Time.GetUtcNow()).ToString("N");
            await recorder.RecordAsync(id, (change, id), static (w, s) => Write(w, s.change, s.id), CancellationToken.None);
        }
        catch (Exception ex)
        {
            AuditLog.PolicyRecordFailed(logger, action, ex);
        }
    }

    private static string Action(PolicyChangeKind kind) => kind switch
    {
        PolicyChangeKind.Loaded => "policy-load",
        PolicyChangeKind.Reloaded => "policy-reload",
        _ => "policy-reload-rejected",
    };

    private static void Write(Utf8JsonWriter writer, PolicyChange change, string id)
    {
        var rejected = change.Kind == PolicyChangeKind.Rejected;
        EcsFields.WriteEvent(writer, new AuditEvent(id, "event", Action(change.Kind), rejected ? "failure" : "success")
        {
            Categories = ["configuration"],
            Types = ["change"],
            Reason = rejected ? "policy_invalid" : null,
        }, "policy");
        if (rejected)
        {
            writer.WriteString("message", $"Policy from {change.Directory} rejected with {change.Errors.Count} error(s); {change.PreviousVersion ?? "no policy"} stays active.");
            writer.WriteStartObject("error");
            writer.WriteString("message", change.Errors.Count > 0 ? change.Errors[0] : "unknown");
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteString("message", $"Policy {change.Version} active; previous {change.PreviousVersion ?? "none"}.");
        }

        writer.WriteStartObject("envoygovern");
        writer.WriteStartObject("policy");
        EcsFields.WriteIfSet(writer, "version", change.Version);
        EcsFields.WriteIfSet(writer, "previous_version", change.PreviousVersion);
        writer.WriteString("directory", change.Directory);
        writer.WriteBoolean("applied", !rejected);
        EcsFields.WriteArray(writer, "documents", change.Documents);
        EcsFields.WriteArray(writer, "errors", change.Errors);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}

using System.Text.Json;
using EnvoyGovern.Governance.Audit.Recording;
using EnvoyGovern.Governance.Canary;

namespace EnvoyGovern.ExtAuthz.Canary;

/// <summary>One audit record per canary halt and per resume: what changed in routing, and why.</summary>
internal static class CanaryAudit
{
    public static ValueTask HaltedAsync(AuditRecorder recorder, CanaryKey key, CanaryHalt halt, CancellationToken cancellationToken) =>
        WriteAsync(recorder, key, "canary-halt", halt, cancellationToken);

    public static ValueTask ResumedAsync(AuditRecorder recorder, CanaryKey key, CancellationToken cancellationToken) =>
        WriteAsync(recorder, key, "canary-resume", null, cancellationToken);

    private static ValueTask WriteAsync(AuditRecorder recorder, CanaryKey key, string action, CanaryHalt? halt, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7(recorder.Time.GetUtcNow()).ToString("N");
        return recorder.RecordAsync(id, (key, action, halt, id), static (w, s) => Write(w, s.key, s.action, s.halt, s.id), cancellationToken);
    }

    private static void Write(Utf8JsonWriter writer, CanaryKey key, string action, CanaryHalt? halt, string id)
    {
        EcsFields.WriteEvent(writer, new AuditEvent(id, "event", action, "success")
        {
            Categories = ["configuration"],
            Types = ["change"],
            Reason = halt?.Reason,
        }, "canary");
        writer.WriteString("message", halt is null
            ? $"Canary {key.Model}/{key.Canary} resumed by an operator."
            : $"Canary {key.Model}/{key.Canary} halted: {halt.Detail}. Its traffic goes to stable.");
        writer.WriteStartObject("envoygovern");
        writer.WriteStartObject("canary");
        writer.WriteString("model", key.Model);
        writer.WriteString("name", key.Canary);
        writer.WriteString("fingerprint", key.Fingerprint);
        writer.WriteString("state", halt is null ? "running" : "halted");
        if (halt is not null)
        {
            writer.WriteString("halt_reason", halt.Reason);
            writer.WriteString("halt_detail", halt.Detail);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}

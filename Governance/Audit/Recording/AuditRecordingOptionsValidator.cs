using EnvoyGovern.Governance.Audit.Chain;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.Audit.Recording;

/// <summary>Checks what data annotations cannot: the key file, nested ranges, and that no secret header is audited.</summary>
internal sealed class AuditRecordingOptionsValidator : IValidateOptions<AuditRecordingOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditRecordingOptions options)
    {
        var failures = new List<string>();
        foreach (var header in options.Headers)
        {
            if (AuditRedaction.IsSecretHeader(header))
            {
                failures.Add($"Audit:Headers lists '{header}', which carries credentials or cookies; it is never audited. Remove it.");
            }
        }

        var checkpoint = options.Checkpoint;
        if (checkpoint.Every < 1)
        {
            failures.Add("Audit:Checkpoint:Every must be at least 1.");
        }

        if (checkpoint.Interval < TimeSpan.FromSeconds(1))
        {
            failures.Add("Audit:Checkpoint:Interval must be at least 00:00:01.");
        }

        if (!string.IsNullOrWhiteSpace(checkpoint.KeyFile))
        {
            try
            {
                _ = CheckpointSigner.FromFile(checkpoint.KeyFile, checkpoint.KeyId);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                failures.Add($"Audit:Checkpoint:KeyFile '{checkpoint.KeyFile}' cannot be used: {ex.Message}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

namespace EnvoyGovern.Governance.Canary;

/// <summary>
/// Identifies one canary as configured: its model, its name, and a fingerprint of its settings. A halt is
/// kept under this key, so it survives reloads that leave the canary alone and ends when its policy changes.
/// </summary>
/// <param name="Model">The model name.</param>
/// <param name="Canary">The canary's name within the model.</param>
/// <param name="Fingerprint">Hash of the canary's settings.</param>
public readonly record struct CanaryKey(string Model, string Canary, string Fingerprint)
{
    /// <inheritdoc />
    public override string ToString() => $"{Model}/{Canary}@{Fingerprint}";
}

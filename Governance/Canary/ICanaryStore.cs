namespace EnvoyGovern.Governance.Canary;

/// <summary>
/// Where ExtProc counts outcomes per model and cluster, and where canary halts are kept: in memory for
/// one process, in Redis for several replicas (ExtAuthz reads what ExtProc writes). A store that cannot
/// answer throws <see cref="Decisions.DependencyUnavailableException"/>.
/// </summary>
public interface ICanaryStore
{
    /// <summary>Counts one response of <paramref name="cluster"/> serving <paramref name="model"/>.</summary>
    ValueTask RecordAsync(string model, string cluster, CanaryOutcome outcome, CancellationToken cancellationToken);

    /// <summary>The outcomes of the last <paramref name="window"/>.</summary>
    ValueTask<OutcomeWindow> ReadAsync(string model, string cluster, TimeSpan window, CancellationToken cancellationToken);

    /// <summary>Halts a canary; false when it was already halted (the first halt stays).</summary>
    ValueTask<bool> TryHaltAsync(CanaryKey key, CanaryHalt halt, CancellationToken cancellationToken);

    /// <summary>Lifts a halt; false when the canary was not halted.</summary>
    ValueTask<bool> ResumeAsync(CanaryKey key, CancellationToken cancellationToken);

    /// <summary>Every halt in force.</summary>
    ValueTask<IReadOnlyDictionary<CanaryKey, CanaryHalt>> ReadHaltsAsync(CancellationToken cancellationToken);
}

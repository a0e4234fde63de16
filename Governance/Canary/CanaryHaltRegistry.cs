using System.Collections.Concurrent;

namespace EnvoyGovern.Governance.Canary;

/// <summary>Why and when a canary was halted.</summary>
/// <param name="Reason">Stable reason code (<c>error_rate</c>, <c>p95_latency</c>, <c>findings_rate</c>).</param>
/// <param name="Detail">The figures that broke the limit, for operators and the audit record.</param>
/// <param name="At">When it was halted.</param>
public sealed record CanaryHalt(string Reason, string Detail, DateTimeOffset At);

/// <summary>The halts this process knows of; the shared store (memory or Redis) feeds it.</summary>
public sealed class CanaryHaltRegistry : ICanaryHalts
{
    private readonly ConcurrentDictionary<CanaryKey, CanaryHalt> _halts = new();

    /// <inheritdoc />
    public bool IsHalted(CanaryKey key) => !_halts.IsEmpty && _halts.ContainsKey(key);

    /// <summary>The halts in force.</summary>
    public IReadOnlyDictionary<CanaryKey, CanaryHalt> Halts => _halts;

    /// <summary>Records a halt; false when the canary was already halted (the first reason stays).</summary>
    public bool Halt(CanaryKey key, CanaryHalt halt) => _halts.TryAdd(key, halt);

    /// <summary>Lifts a halt; false when the canary was not halted.</summary>
    public bool Resume(CanaryKey key) => _halts.TryRemove(key, out _);
}

namespace EnvoyGovern.Governance.Canary;

/// <summary>Which canaries are halted, read on every decision: answers from memory, never waits.</summary>
public interface ICanaryHalts
{
    /// <summary>True when the canary is halted and gets no traffic.</summary>
    bool IsHalted(CanaryKey key);
}

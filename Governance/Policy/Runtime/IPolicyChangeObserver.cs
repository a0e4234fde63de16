namespace EnvoyGovern.Governance.Policy.Runtime;

/// <summary>What happened to the policy on one load.</summary>
public enum PolicyChangeKind
{
    /// <summary>The first valid policy became active.</summary>
    Loaded = 0,

    /// <summary>A changed, valid policy replaced the active one.</summary>
    Reloaded = 1,

    /// <summary>Changed content was invalid or unreadable; the previous policy (if any) stays active.</summary>
    Rejected = 2,
}

/// <summary>One load, reload or rejected reload, as the audit trail records it.</summary>
public sealed record PolicyChange
{
    /// <summary>What happened.</summary>
    public required PolicyChangeKind Kind { get; init; }

    /// <summary>The policy directory.</summary>
    public required string Directory { get; init; }

    /// <summary>The version active before; null when none was.</summary>
    public string? PreviousVersion { get; init; }

    /// <summary>The version of the offered content (active now unless rejected); null when it could not be read.</summary>
    public string? Version { get; init; }

    /// <summary>Names of the documents of the new policy (empty for a rejection).</summary>
    public IReadOnlyList<string> Documents { get; init; } = [];

    /// <summary>Why it was rejected, one entry per error.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];
}

/// <summary>Told about every policy load, reload and rejected reload (for example, to write an audit record).</summary>
public interface IPolicyChangeObserver
{
    /// <summary>Called after the store decided; must not block or throw.</summary>
    void OnPolicyChanged(PolicyChange change);
}

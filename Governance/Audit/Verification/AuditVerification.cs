namespace EnvoyGovern.Governance.Audit.Verification;

/// <summary>How a chain was found broken.</summary>
public enum AuditBreakKind
{
    /// <summary>A line is not a chained audit record (not JSON, or no hash member).</summary>
    Malformed = 0,

    /// <summary>A record's content does not match its hash, or a record does not follow the hash before it.</summary>
    Altered = 1,

    /// <summary>Records are missing: a gap in the sequence.</summary>
    Deleted = 2,

    /// <summary>A record comes after one with a higher or equal sequence number.</summary>
    Reordered = 3,

    /// <summary>A checkpoint's signature does not verify with the key: the chain before it was rewritten.</summary>
    BadSignature = 4,
}

/// <summary>The first place a chain is broken.</summary>
/// <param name="Line">1-based line of the file.</param>
/// <param name="Kind">What is wrong.</param>
/// <param name="Message">A sentence naming the record (event id, stream, sequence) and what is wrong.</param>
public sealed record AuditChainBreak(long Line, AuditBreakKind Kind, string Message);

/// <summary>What <see cref="AuditChainVerifier"/> found.</summary>
public sealed record AuditVerificationResult
{
    /// <summary>Records read (up to the break, if any).</summary>
    public long Records { get; init; }

    /// <summary>Distinct streams seen.</summary>
    public int Streams { get; init; }

    /// <summary>Checkpoints whose signature verified with the key.</summary>
    public int CheckpointsVerified { get; init; }

    /// <summary>Checkpoints not checked: no key given, or signed with another key id.</summary>
    public int CheckpointsUnchecked { get; init; }

    /// <summary>Records after the last checkpoint of their stream: chained, but not yet covered by a signature.</summary>
    public long UnsignedTail { get; init; }

    /// <summary>The first break; null when every chain is intact.</summary>
    public AuditChainBreak? Break { get; init; }

    /// <summary>True when nothing is broken.</summary>
    public bool Intact => Break is null;
}

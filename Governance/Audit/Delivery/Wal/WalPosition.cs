namespace EnvoyGovern.Governance.Audit.Delivery.Wal;

/// <summary>A byte position in the write-ahead log: segment number and offset inside that segment.</summary>
internal readonly record struct WalPosition(long Segment, long Offset) : IComparable<WalPosition>
{
    public int CompareTo(WalPosition other) =>
        Segment != other.Segment ? Segment.CompareTo(other.Segment) : Offset.CompareTo(other.Offset);

    public static bool operator <(WalPosition left, WalPosition right) => left.CompareTo(right) < 0;

    public static bool operator >(WalPosition left, WalPosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(WalPosition left, WalPosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(WalPosition left, WalPosition right) => left.CompareTo(right) >= 0;
}

/// <summary>A record read back from the log, with the position just past it (what to commit once delivered).</summary>
internal sealed record WalRecord(AuditEntry Entry, WalPosition End);

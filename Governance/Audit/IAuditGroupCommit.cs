namespace EnvoyGovern.Governance.Audit;

/// <summary>
/// A pipeline that writes on the callers' threads (group commit) instead of a writer of its own. The recorder hands
/// an entry over with <see cref="Enqueue"/> while it holds its chain lock (so entries arrive in chain order), and
/// calls <see cref="Commit"/> once it has released that lock, so that no write happens under it.
/// </summary>
public interface IAuditGroupCommit
{
    /// <summary>
    /// Takes a copy of <paramref name="record"/> (a sealed record, see <see cref="AuditEntry.Utf8Json"/>) in order
    /// without writing it, and returns a ticket for <see cref="WhenWritten"/>. Throws
    /// <see cref="AuditUnavailableException"/> when the record is refused at once (then nothing was taken).
    /// </summary>
    long Enqueue(ReadOnlySpan<byte> record);

    /// <summary>
    /// As <see cref="Enqueue"/> for <paramref name="line"/> (a sealed record followed by its <c>\n</c>), except when
    /// nothing is pending or being written: then it takes no copy and sets <paramref name="claimed"/>, and this thread
    /// must call <see cref="CommitClaimed"/> with the same bytes, unchanged, instead of <see cref="Commit"/> (once it
    /// has released its chain lock: the next write waits for it).
    /// </summary>
    long EnqueueOrClaim(ReadOnlySpan<byte> line, out bool claimed);

    /// <summary>Writes the line <see cref="EnqueueOrClaim"/> claimed; true when it was written (as <see cref="Commit"/>).</summary>
    bool CommitClaimed(ReadOnlySpan<byte> line);

    /// <summary>
    /// Writes the pending entries on this thread unless another thread is writing them: then it may wait a moment on
    /// this thread for that write to end and write them itself, or leave them to that writer (or a thread-pool item it
    /// leaves behind). Call after every <see cref="Enqueue"/>. Returns
    /// true when this call wrote everything that was pending when it began: then every entry this thread enqueued
    /// before is written (<see cref="WhenWritten"/> then completes at once).
    /// </summary>
    bool Commit();

    /// <summary>
    /// Completes as <see cref="IAuditPipeline.WriteAsync"/>'s result does once the record of <paramref name="ticket"/>
    /// is written: at once (allocating nothing) when it is written already. Call after <see cref="Commit"/>.
    /// </summary>
    ValueTask<bool> WhenWritten(long ticket);
}

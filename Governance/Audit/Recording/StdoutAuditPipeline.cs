using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.Audit.Recording;

/// <summary>
/// The default pipeline: each record as one line of NDJSON on stdout (diagnostic logs go to stderr). Records are
/// written in batches by group commit on the callers' threads: the first caller that finds no write in progress
/// writes everything pending with one <c>write(2)</c> and its own call completes without a thread hand-off; callers
/// whose records arrive meanwhile wait on their threads for that write to end (a few microseconds at most) and write the
/// next batch, or, when it takes longer, wait for the next batch (at most <c>Audit:WriteBudget</c>, the recorder's guard).
/// When stdout is stuck and <c>Audit:StdoutCapacity</c> records wait, further records are refused at once, and the
/// request fails closed. Replaced when a durable pipeline is registered.
/// </summary>
/// <remarks>
/// A write that blocks holds the thread of the caller that writes it (the recorder's budget cannot interrupt
/// <c>write(2)</c>): that one call waits for stdout, with Envoy's own timeout as its bound, while every other call
/// fails closed at the budget or is refused at capacity, as with a writer thread of its own.
/// </remarks>
public sealed partial class StdoutAuditPipeline : IAuditPipeline, IAuditGroupCommit, IAsyncDisposable
{
    // serve hosts both services in one process: their lines must not interleave on the shared stdout.
    private static readonly Lock StdoutGate = new();
    private static readonly Lazy<Stream> Stdout = new(Console.OpenStandardOutput);

    private readonly Stream _output;
    private readonly Lock _gate = new();
    private readonly int _capacity;
    private readonly long _waitForWriterTicks;
    private readonly ILogger _logger;
    // Failed batches that a caller may still ask about (WhenWritten): the last few, with what they failed with.
    private const int RememberedFailures = 64;

    // How long a caller waits on its thread for another's write before it waits for its batch asynchronously: many
    // times a write(2) into a pipe, far below any budget.
    private static readonly TimeSpan WaitForWriterLimit = TimeSpan.FromMicroseconds(20);

    private readonly Queue<(long Batch, Exception Error)> _failures = new();
    private Batch _pending = new();
    private Batch _spare = new();

    // Batches are numbered: a caller's ticket is the number of the batch its record joined. A batch's completion
    // source is made only when a caller waits for it (WhenWritten before it is written): nearly every caller writes its
    // own batch, and its call then allocates nothing.
    private long _pendingNumber = 1;
    private TaskCompletionSource<bool>? _pendingDone;
    private long _writingNumber;
    private TaskCompletionSource<bool>? _writingDone;
    private long _forgottenFailures;

    // Read without the gate by WhenWritten: the last batch whose write ended (batches end in order), and the last one
    // that failed, published before its number is.
    private long _finishedThrough;
    private long _lastFailed;
    private bool _writing;
    private bool _drainQueued;

    // Callers waiting on their own threads for the write in progress to end (Commit): the first of them writes what
    // is pending then, so the writer leaves no drain item behind.
    private int _waitingForWriter;
    private bool _stopping;

    /// <summary>Creates the pipeline on the process's stdout.</summary>
    public StdoutAuditPipeline(IOptions<AuditRecordingOptions> options, ILogger<StdoutAuditPipeline> logger)
        : this(Stdout.Value, options, logger)
    {
    }

    /// <summary>Creates the pipeline on <paramref name="output"/> (tests).</summary>
    public StdoutAuditPipeline(Stream output, IOptions<AuditRecordingOptions> options, ILogger<StdoutAuditPipeline> logger)
        : this(output, options, logger, WaitForWriterLimit)
    {
    }

    /// <summary>As the public constructor, with how long a caller waits on its thread for another's write (tests).</summary>
    internal StdoutAuditPipeline(Stream output, IOptions<AuditRecordingOptions> options, ILogger<StdoutAuditPipeline> logger, TimeSpan waitForWriter)
    {
        ArgumentNullException.ThrowIfNull(options);
        _output = output;
        _capacity = options.Value.StdoutCapacity;
        _logger = logger;
        _waitForWriterTicks = (long)(waitForWriter.TotalSeconds * Stopwatch.Frequency);
    }

    /// <inheritdoc />
    public ValueTask<bool> WriteAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var ticket = Enqueue(entry.Utf8Json.Span);
        Commit();
        return WhenWritten(ticket);
    }

    /// <inheritdoc />
    public long Enqueue(ReadOnlySpan<byte> record)
    {
        lock (_gate)
        {
            Admit();
            _pending.Add(record);
            return _pendingNumber;
        }
    }

    /// <inheritdoc />
    public long EnqueueOrClaim(ReadOnlySpan<byte> line, out bool claimed)
    {
        if (line.IsEmpty || line[^1] != (byte)'\n')
        {
            throw new ArgumentException("a line ends with its newline", nameof(line));
        }

        lock (_gate)
        {
            Admit();
            if (_writing || _pending.Count > 0)
            {
                claimed = false;
                _pending.Add(line[..^1]);
                return _pendingNumber;
            }

            // Nothing before it waits or is being written: this line is the next batch on its own, written from the
            // caller's buffer by CommitClaimed (no copy into a batch that another core wrote last).
            claimed = true;
            _writing = true;
            _writingNumber = _pendingNumber++;
            _writingDone = _pendingDone;
            _pendingDone = null;
            return _writingNumber;
        }
    }

    /// <inheritdoc />
    public bool CommitClaimed(ReadOnlySpan<byte> line) => Write(line, null, callerWaits: true) == CommitOutcome.Wrote;

    // Under the gate: capacity and stopping refuse a record at once, before anything is taken.
    private void Admit()
    {
        if (_pending.Count >= _capacity)
        {
            throw new AuditUnavailableException($"{_pending.Count} audit records wait for stdout; refusing more");
        }

        if (_stopping)
        {
            throw new AuditUnavailableException("the audit pipeline is stopping");
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> WhenWritten(long ticket)
    {
        // Nearly every caller wrote its own batch just now: its outcome is known without the gate.
        if (ticket <= Volatile.Read(ref _finishedThrough) && ticket > Volatile.Read(ref _lastFailed))
        {
            return new ValueTask<bool>(true);
        }

        lock (_gate)
        {
            if (ticket == _pendingNumber)
            {
                return new ValueTask<bool>((_pendingDone ??= NewBatch()).Task);
            }

            if (_writing && ticket == _writingNumber)
            {
                return new ValueTask<bool>((_writingDone ??= NewBatch()).Task);
            }

            // Written, or failed: batches finish in order, and the failed ones are remembered.
            foreach (var (batch, error) in _failures)
            {
                if (batch == ticket)
                {
                    return ValueTask.FromException<bool>(Unavailable(error));
                }
            }

            return ticket > _forgottenFailures
                ? new ValueTask<bool>(true)
                : ValueTask.FromException<bool>(new AuditUnavailableException($"the outcome of audit batch {ticket} is no longer known; failing closed"));
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// A caller that finds another's write in progress waits for it here, on its thread, for at most
    /// <see cref="WaitForWriterLimit"/>, and then writes what is pending itself: a <c>write(2)</c> of a batch takes
    /// about a microsecond, and waiting for it asynchronously costs far more (a completion source, the budget's timer,
    /// a thread-pool item and a thread hop per batch, the call's async state machines). When that write takes longer
    /// (stdout stuck), the caller returns and waits for its batch as before, bounded by <c>Audit:WriteBudget</c>.
    /// </remarks>
    public bool Commit()
    {
        var spinner = default(SpinWait);
        var registered = false;
        var giveUpAt = 0L;
        while (true)
        {
            var mayWait = giveUpAt == 0 || Stopwatch.GetTimestamp() < giveUpAt;
            var outcome = Commit(callerWaits: true, mayWait, ref registered);
            if (outcome != CommitOutcome.WriteInProgress || !registered)
            {
                return outcome == CommitOutcome.Wrote;
            }

            if (giveUpAt == 0)
            {
                giveUpAt = Stopwatch.GetTimestamp() + _waitForWriterTicks;
            }

            // Yields the core after a few spins (never sleeps): on a busy machine the writer may need it to finish.
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    private CommitOutcome Commit(bool callerWaits, bool mayWait, ref bool registered)
    {
        Batch batch;
        lock (_gate)
        {
            if (registered)
            {
                _waitingForWriter--;
                registered = false;
            }

            if (_writing)
            {
                // Registered, the caller writes what is pending once this write ends (the writer leaves no drain for it).
                if (mayWait)
                {
                    _waitingForWriter++;
                    registered = true;
                }

                return CommitOutcome.WriteInProgress;
            }

            if (_pending.Count == 0)
            {
                return CommitOutcome.NothingPending;
            }

            _writing = true;
            // The spare list becomes the pending one; this batch becomes the spare once written (one writer at a time).
            (batch, _pending) = (_pending, _spare);
            _writingNumber = _pendingNumber++;
            _writingDone = _pendingDone;
            _pendingDone = null;
        }

        return Write(batch.Lines, batch, callerWaits);
    }

    // Writes the claimed batch (_writing is set): a batch's lines, or a line claimed from the caller's own buffer.
    private CommitOutcome Write(ReadOnlySpan<byte> lines, Batch? batch, bool callerWaits)
    {
        TaskCompletionSource<bool>? done;
        var more = false;
        Exception? failure = null;
        try
        {
            failure = WriteLines(lines);
        }
        finally
        {
            lock (_gate)
            {
                // Under the gate, before the next writer may start: a caller that asks from now on finds the outcome.
                done = _writingDone;
                _writingDone = null;
                if (failure is not null)
                {
                    Remember(failure);
                    Volatile.Write(ref _lastFailed, _writingNumber);
                }

                Volatile.Write(ref _finishedThrough, _writingNumber);

                if (batch is not null)
                {
                    batch.Clear();
                    _spare = batch;
                }

                _writing = false;
                // Callers that enqueued while this batch was written may have committed already and found the write
                // in progress: someone must write their records, and this caller's own answer should not wait for it.
                // (Not when a caller waits on its thread for this write to end: it writes them.)
                if (_pending.Count > 0 && !_drainQueued && _waitingForWriter == 0)
                {
                    _drainQueued = true;
                    more = true;
                }
            }
        }

        if (more)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static pipeline => pipeline.Drain(), this, preferLocal: false);
        }

        if (failure is not null)
        {
            // Never deferred. (A caller that asks later learns the failure from _failures, set before the next write.)
            done?.TrySetException(Unavailable(failure));
            return CommitOutcome.Failed;
        }

        if (done is not null)
        {
            // After the next writer may start: the waiters' continuations never hold up the next batch.
            Complete(done, callerWaits);
        }

        return CommitOutcome.Wrote;
    }

    /// <summary>Writes what is pending, then refuses further records.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
        }

        while (true)
        {
            Commit();
            lock (_gate)
            {
                if (!_writing && _pending.Count == 0)
                {
                    return;
                }
            }

            // Another thread is writing: wait for it, then write what is left.
            await Task.Delay(1);
        }
    }

    private void Drain()
    {
        lock (_gate)
        {
            _drainQueued = false;
        }

        var registered = false;
        Commit(callerWaits: false, mayWait: false, ref registered);
    }

    private Exception? WriteLines(ReadOnlySpan<byte> lines)
    {
        try
        {
            lock (StdoutGate)
            {
                _output.Write(lines);
                _output.Flush();
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or NotSupportedException)
        {
            AuditLog.StdoutFailed(_logger, ex);
            return ex;
        }
    }

    private static AuditUnavailableException Unavailable(Exception error) => new("writing audit records to stdout failed", error);

    private void Remember(Exception failure)
    {
        if (_failures.Count == RememberedFailures)
        {
            _forgottenFailures = _failures.Dequeue().Batch;
        }

        _failures.Enqueue((_writingNumber, failure));
    }

    private static void Complete(TaskCompletionSource<bool> done, bool deferred)
    {
        if (deferred)
        {
            // The waiters resume in one thread-pool item, one after another, rather than one item each; the
            // writing caller goes on with its own answer (its record is in the batch it wrote).
            ThreadPool.UnsafeQueueUserWorkItem(static d => d.TrySetResult(true), done, preferLocal: false);
        }
        else
        {
            // A thread-pool drain has no answer of its own to give: resume here.
            done.TrySetResult(true);
        }
    }

    private enum CommitOutcome
    {
        Wrote,
        Failed,
        NothingPending,
        WriteInProgress,
    }

    // Completed by Commit outside the gate: the writing caller never runs the waiters' continuations itself.
    private static TaskCompletionSource<bool> NewBatch() => new();
}

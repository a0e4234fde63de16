using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.Audit.Recording;

/// <summary>
/// The default pipeline: each record as one line of NDJSON on stdout (diagnostic logs go to stderr). Records
/// are written in batches by one writer (group commit), and a write completes once its line is flushed to
/// the stream. When stdout is stuck and <c>Audit:StdoutCapacity</c> records wait, further records are refused
/// at once, and the request fails closed. Replaced when a durable pipeline is registered.
/// </summary>
public sealed class StdoutAuditPipeline : IAuditPipeline, IAsyncDisposable
{
    // serve hosts both services in one process: their lines must not interleave on the shared stdout.
    private static readonly Lock StdoutGate = new();
    private static readonly Lazy<Stream> Stdout = new(Console.OpenStandardOutput);

    private readonly Stream _output;
    private readonly Lock _gate = new();
    private readonly int _capacity;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writer;
    private List<AuditEntry> _pending = [];
    private List<AuditEntry> _spare = [];
    private TaskCompletionSource<bool> _batch = NewBatch();

    /// <summary>Creates the pipeline on the process's stdout.</summary>
    public StdoutAuditPipeline(IOptions<AuditRecordingOptions> options, ILogger<StdoutAuditPipeline> logger)
        : this(Stdout.Value, options, logger)
    {
    }

    /// <summary>Creates the pipeline on <paramref name="output"/> (tests).</summary>
    public StdoutAuditPipeline(Stream output, IOptions<AuditRecordingOptions> options, ILogger<StdoutAuditPipeline> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _output = output;
        _capacity = options.Value.StdoutCapacity;
        _logger = logger;
        // A thread of its own: under load the thread pool's queue is long, and the budget is short.
        _writer = Task.Factory.StartNew(WriteLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <inheritdoc />
    public ValueTask<bool> WriteAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Task<bool> flushed;
        lock (_gate)
        {
            if (_pending.Count >= _capacity)
            {
                throw new AuditUnavailableException($"{_pending.Count} audit records wait for stdout; refusing more");
            }

            if (_stopping.IsCancellationRequested)
            {
                throw new AuditUnavailableException("the audit pipeline is stopping");
            }

            _pending.Add(entry);
            flushed = _batch.Task;
        }

        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (Exception ex) when (ex is SemaphoreFullException or ObjectDisposedException)
            {
                // Another writer signalled first (the loop takes this entry with that batch), or the pipeline
                // stopped after taking the entry, and its last drain writes it.
            }
        }

        return new ValueTask<bool>(flushed);
    }

    /// <summary>Writes what is pending, then stops the writer.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            _stopping.Cancel();
        }

        await _writer;
        _stopping.Dispose();
        _signal.Dispose();
    }

    private void WriteLoop()
    {
        var stopping = false;
        while (!stopping)
        {
            try
            {
                _signal.Wait(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                stopping = true;
            }

            List<AuditEntry> batch;
            TaskCompletionSource<bool> done;
            lock (_gate)
            {
                (batch, _pending, _spare) = (_pending, _spare, _pending);
                done = _batch;
                _batch = NewBatch();
            }

            if (batch.Count == 0)
            {
                done.TrySetResult(true);
                continue;
            }

            try
            {
                Write(batch);
                done.TrySetResult(true);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or NotSupportedException)
            {
                AuditLog.StdoutFailed(_logger, ex);
                done.TrySetException(new AuditUnavailableException("writing audit records to stdout failed", ex));
            }

            batch.Clear();
        }
    }

    private void Write(List<AuditEntry> batch)
    {
        var length = 0;
        foreach (var entry in batch)
        {
            length += entry.Utf8Json.Length + 1;
        }

        var bytes = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var at = 0;
            foreach (var entry in batch)
            {
                entry.Utf8Json.Span.CopyTo(bytes.AsSpan(at));
                at += entry.Utf8Json.Length;
                bytes[at++] = (byte)'\n';
            }

            lock (StdoutGate)
            {
                _output.Write(bytes, 0, length);
                _output.Flush();
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static TaskCompletionSource<bool> NewBatch() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

using System.Buffers;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace EnvoyGovern.Governance.Audit.Delivery.Wal;

/// <summary>Outcome of an append.</summary>
internal enum WalAppendResult
{
    Appended,
    Full,
    TooLarge,
}

/// <summary>Sizes and durability of a write-ahead log.</summary>
internal sealed record WalSettings(string Directory, long MaxBytes, long SegmentBytes, int MaxRecordBytes, AuditFsyncPolicy Fsync, TimeSpan FsyncInterval)
{
    public static WalSettings From(AuditDeliveryOptions options) => new(
        options.QueueDirectory, options.MaxQueueBytes, options.SegmentBytes, options.MaxRecordBytes, options.Fsync, options.FsyncInterval);
}

/// <summary>
/// A bounded, append-only, disk-backed queue of audit records: many appenders (the request path), one reader
/// (the delivery loop). Records are framed with length and CRC in numbered segment files; the committed-offset
/// file says what the sink acknowledged. Opening a directory replays everything after the committed offset and
/// cuts off a torn tail left by a crash. Segments wholly behind the committed offset are deleted.
/// </summary>
internal sealed partial class AuditWriteAheadLog : IDisposable
{
    private readonly WalSettings _settings;
    private readonly CommittedOffsetFile _committedFile;
    private readonly Action<string> _onCorrupt;
    private readonly ITimer? _fsyncTimer;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _dataSignal = new(0, 1);

    // Segment number -> bytes written; guarded by _lock.
    private readonly SortedDictionary<long, long> _segments = [];
    private long _queuedBytes;
    private SafeFileHandle _active;
    private long _activeSegment;
    private bool _dirty;
    private WalPosition _committed;
    private TaskCompletionSource _room = NewSignal();
    private bool _disposed;

    // Reader state, touched only by the single reader.
    private WalPosition _read;
    private SafeFileHandle? _readHandle;
    private long _readHandleSegment = -1;

    public AuditWriteAheadLog(WalSettings settings, TimeProvider timeProvider, Action<string> onCorrupt)
    {
        _settings = settings;
        _onCorrupt = onCorrupt;
        Directory.CreateDirectory(settings.Directory);
        _committedFile = new CommittedOffsetFile(settings.Directory);
        _active = Recover();
        _read = _committed;
        if (settings.Fsync == AuditFsyncPolicy.Interval)
        {
            _fsyncTimer = timeProvider.CreateTimer(_ => FlushToDisk(), null, settings.FsyncInterval, settings.FsyncInterval);
        }
    }

    /// <summary>Bytes held by segments not yet wholly acknowledged; what the disk budget counts.</summary>
    public long QueuedBytes
    {
        get
        {
            lock (_lock)
            {
                return _queuedBytes;
            }
        }
    }

    /// <summary>True when every appended record has been acknowledged.</summary>
    public bool IsDrained
    {
        get
        {
            lock (_lock)
            {
                // Per segment rather than against the end: after a restart the committed offset may sit in a
                // segment before an empty active one.
                foreach (var (segment, length) in _segments)
                {
                    if (segment > _committed.Segment ? length > 0 : segment == _committed.Segment && length > _committed.Offset)
                    {
                        return false;
                    }
                }

                return true;
            }
        }
    }

    /// <summary>Completes at the next commit (which may free room). Take it before the append that may find the log full.</summary>
    public Task RoomFreed => Volatile.Read(ref _room).Task;

    /// <summary>Appends one record; durable in the sense of <see cref="WalSettings.Fsync"/> when this returns Appended.</summary>
    public WalAppendResult TryAppend(AuditEntry entry)
    {
        var length = WalFrame.FrameLength(entry);
        if (length - WalFrame.HeaderBytes > _settings.MaxRecordBytes)
        {
            return WalAppendResult.TooLarge;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            WalFrame.Write(entry, buffer);
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_queuedBytes + length > _settings.MaxBytes)
                {
                    return WalAppendResult.Full;
                }

                var offset = _segments[_activeSegment];
                if (offset > 0 && offset + length > _settings.SegmentBytes)
                {
                    Roll();
                    offset = 0;
                }

                RandomAccess.Write(_active, buffer.AsSpan(0, length), offset);
                if (_settings.Fsync == AuditFsyncPolicy.Always)
                {
                    RandomAccess.FlushToDisk(_active);
                }
                else
                {
                    _dirty = true;
                }

                _segments[_activeSegment] = offset + length;
                _queuedBytes += length;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        SignalData();
        return WalAppendResult.Appended;
    }

    /// <summary>Waits until a record may be readable (it may already be).</summary>
    public Task WaitForDataAsync(CancellationToken cancellationToken) => _dataSignal.WaitAsync(cancellationToken);

    /// <summary>
    /// Reads the next records after the last read, at most <paramref name="maxCount"/> and about <paramref name="maxBytes"/>.
    /// Reading does not consume: only <see cref="Commit"/> does, and after a restart reading starts at the committed offset.
    /// </summary>
    public IReadOnlyList<WalRecord> ReadBatch(int maxCount, int maxBytes)
    {
        var batch = new List<WalRecord>(Math.Min(maxCount, 64));
        long bytes = 0;
        while (batch.Count < maxCount)
        {
            if (!TryLimit(out var limit))
            {
                break;
            }

            if (_read.Offset >= limit)
            {
                if (!AdvanceSegment())
                {
                    break;
                }

                continue;
            }

            var record = ReadOne(limit);
            if (record is null)
            {
                continue;
            }

            if (batch.Count > 0 && bytes + record.Entry.Utf8Json.Length > maxBytes)
            {
                break;
            }

            batch.Add(record);
            bytes += record.Entry.Utf8Json.Length;
            _read = record.End;
        }

        return batch;
    }

    /// <summary>Records that everything before <paramref name="end"/> is acknowledged, durably, and frees whole segments behind it.</summary>
    public void Commit(WalPosition end)
    {
        _committedFile.Write(end);
        var deletable = new List<long>();
        lock (_lock)
        {
            _committed = end;
            foreach (var (segment, length) in _segments)
            {
                if (segment != _activeSegment && (segment < end.Segment || (segment == end.Segment && end.Offset >= length)))
                {
                    deletable.Add(segment);
                }
            }

            foreach (var segment in deletable)
            {
                _queuedBytes -= _segments[segment];
                _segments.Remove(segment);
            }
        }

        foreach (var segment in deletable)
        {
            File.Delete(SegmentPath(segment));
        }

        Interlocked.Exchange(ref _room, NewSignal()).TrySetResult();
    }

    /// <summary>Forces appended data to disk (the interval fsync; also called on dispose).</summary>
    public void FlushToDisk()
    {
        SafeFileHandle handle;
        lock (_lock)
        {
            if (_disposed || !_dirty)
            {
                return;
            }

            handle = _active;
            _dirty = false;
        }

        try
        {
            RandomAccess.FlushToDisk(handle);
        }
        catch (ObjectDisposedException)
        {
            // Rolled or disposed meanwhile; both paths flush the handle before closing it.
        }
    }

    public void Dispose()
    {
        _fsyncTimer?.Dispose();
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            RandomAccess.FlushToDisk(_active);
            _active.Dispose();
        }

        _readHandle?.Dispose();
        _dataSignal.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private string SegmentPath(long segment) =>
        Path.Combine(_settings.Directory, segment.ToString("D20", CultureInfo.InvariantCulture) + ".wal");

    private void SignalData()
    {
        if (_dataSignal.CurrentCount == 0)
        {
            try
            {
                _dataSignal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another appender signalled first; one wake-up is enough.
            }
        }
    }

    // Called under _lock.
    private void Roll()
    {
        RandomAccess.FlushToDisk(_active);
        _active.Dispose();
        _activeSegment++;
        _segments[_activeSegment] = 0;
        _active = OpenForWrite(_activeSegment);
        _dirty = false;
    }

    private SafeFileHandle OpenForWrite(long segment) =>
        File.OpenHandle(SegmentPath(segment), FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
}

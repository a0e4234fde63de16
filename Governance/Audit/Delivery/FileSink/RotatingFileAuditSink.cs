using System.Globalization;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.Audit.Delivery.FileSink;

/// <summary>
/// NDJSON files, one record per line, rotated by size and age between batches, oldest deleted past the retention
/// count. Idempotent for the replays the queue makes: a batch is resent only when it was not acknowledged (a
/// failure or a crash), so the ids of the last batches (remembered, and read back from the active file's tail at
/// start) are skipped. A line torn by a crash is cut at start.
/// </summary>
internal sealed class RotatingFileAuditSink : IAuditSink, IDisposable
{
    private readonly FileAuditSinkOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly RecentEventIds _recent;
    private readonly int _tailBytes;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private FileStream? _active;
    private long _activeNumber;
    private DateTimeOffset _activeOpened;

    public RotatingFileAuditSink(IOptions<AuditDeliveryOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value.File;
        _timeProvider = timeProvider;
        // Two batches' worth: the one a crash interrupted, and slack for a batch that straddled it.
        _recent = new RecentEventIds(2 * options.Value.BatchSize);
        _tailBytes = 2 * options.Value.MaxBatchBytes;
        Directory.CreateDirectory(_options.Directory);
        OpenLatest();
    }

    public string Name => "file";

    public async ValueTask<IReadOnlyList<AuditSinkFailure>> WriteBatchAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_active is null)
            {
                OpenLatest();
            }

            RollIfDue();
            var file = _active!;
            var before = file.Length;
            try
            {
                foreach (var entry in batch)
                {
                    if (_recent.Contains(entry.EventId))
                    {
                        continue;
                    }

                    await file.WriteAsync(entry.Utf8Json, cancellationToken);
                    file.WriteByte((byte)'\n');
                }

                await file.FlushAsync(cancellationToken);
                if (_options.FsyncEachBatch)
                {
                    file.Flush(flushToDisk: true);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // Leave no half batch behind: the retry writes it whole. When even that fails, the next batch
                // reopens the file, which cuts a torn line and re-reads the ids of whole ones.
                try
                {
                    file.SetLength(before);
                }
                catch (IOException)
                {
                    file.Dispose();
                    _active = null;
                }

                throw;
            }

            foreach (var entry in batch)
            {
                _recent.Add(entry.EventId);
            }

            return [];
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _active?.Flush(flushToDisk: true);
        _active?.Dispose();
        _gate.Dispose();
    }

    private void RollIfDue()
    {
        var file = _active!;
        if (file.Length == 0 || (file.Length < _options.MaxFileBytes && _timeProvider.GetUtcNow() - _activeOpened < _options.RollInterval))
        {
            return;
        }

        file.Flush(flushToDisk: true);
        file.Dispose();
        Open(_activeNumber + 1);
        foreach (var old in Files().SkipLast(_options.RetainedFiles))
        {
            File.Delete(old.Path);
        }
    }

    private void OpenLatest()
    {
        var files = Files();
        if (files.Count == 0)
        {
            Open(1);
            return;
        }

        var (number, path) = files[^1];
        _active = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        _activeNumber = number;
        // Age counts from the reopen: the file's own time is its name's, which a restart should not shorten.
        _activeOpened = _timeProvider.GetUtcNow();
        CutTornLineAndRemember(_active);
        _active.Seek(0, SeekOrigin.End);
    }

    private void Open(long number)
    {
        var stamp = _timeProvider.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var name = string.Create(CultureInfo.InvariantCulture, $"{_options.FilePrefix}-{number:D10}-{stamp}.ndjson");
        _active = new FileStream(Path.Combine(_options.Directory, name), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        _activeNumber = number;
        _activeOpened = _timeProvider.GetUtcNow();
    }

    private void CutTornLineAndRemember(FileStream file)
    {
        var start = Math.Max(0, file.Length - _tailBytes);
        var tail = new byte[file.Length - start];
        file.Seek(start, SeekOrigin.Begin);
        file.ReadExactly(tail);
        var lastNewline = tail.AsSpan().LastIndexOf((byte)'\n');
        var complete = lastNewline + 1;
        if (complete < tail.Length)
        {
            file.SetLength(start + complete);
            file.Flush(flushToDisk: true);
        }

        // The first line of the tail may be a fragment; a fragment yields no id, which is harmless.
        foreach (var line in new ReadOnlySpan<byte>(tail, 0, complete).Split((byte)'\n'))
        {
            if (EcsEventId.TryRead(tail.AsSpan(line), out var id))
            {
                _recent.Add(id);
            }
        }
    }

    private List<(long Number, string Path)> Files()
    {
        var prefix = _options.FilePrefix + "-";
        var files = new List<(long, string)>();
        foreach (var path in Directory.EnumerateFiles(_options.Directory, prefix + "*.ndjson"))
        {
            var name = Path.GetFileName(path).AsSpan(prefix.Length);
            var dash = name.IndexOf('-');
            if (dash > 0 && long.TryParse(name[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                files.Add((number, path));
            }
        }

        files.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return files;
    }
}

using System.Buffers;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace EnvoyGovern.Governance.Audit.Delivery.Wal;

/// <summary>Recovery at open and the single reader's side of the log.</summary>
internal sealed partial class AuditWriteAheadLog
{
    // The largest payload the options allow plus room for the ids: anything longer is not a frame we wrote.
    private const int MaxPayload = (16 * 1024 * 1024) + (140 * 1024);

    private SafeFileHandle Recover()
    {
        var numbers = Directory.EnumerateFiles(_settings.Directory, "*.wal")
            .Select(p => long.TryParse(Path.GetFileNameWithoutExtension(p), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1)
            .Where(n => n >= 0)
            .Order()
            .ToList();
        var stored = _committedFile.Read();
        // Without a committed offset everything is replayed: the sinks are idempotent by event id.
        _committed = stored ?? new WalPosition(numbers.Count > 0 ? numbers[0] : 0, 0);
        foreach (var segment in numbers.Where(n => n < _committed.Segment))
        {
            File.Delete(SegmentPath(segment));
        }

        var remaining = numbers.Where(n => n >= _committed.Segment).ToList();
        foreach (var segment in remaining)
        {
            _segments[segment] = new FileInfo(SegmentPath(segment)).Length;
        }

        if (remaining.Count == 0)
        {
            _activeSegment = stored is null ? 0 : _committed.Segment + 1;
            _segments[_activeSegment] = 0;
        }
        else
        {
            _activeSegment = remaining[^1];
            CutTornTail(_activeSegment);
        }

        if (_segments.TryGetValue(_committed.Segment, out var committedLength) && _committed.Offset > committedLength)
        {
            // The commit outlived data lost with the page cache (power loss under the interval policy).
            _committed = new WalPosition(_committed.Segment, committedLength);
        }

        _queuedBytes = _segments.Values.Sum();
        return OpenForWrite(_activeSegment);
    }

    private void CutTornTail(long segment)
    {
        var length = _segments[segment];
        long valid = 0;
        using (var handle = File.OpenHandle(SegmentPath(segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            while (ReadFrame(handle, valid, length, out _) is var frame and > 0)
            {
                valid += frame;
            }
        }

        if (valid < length)
        {
            _onCorrupt(string.Create(CultureInfo.InvariantCulture, $"segment {segment}: cut {length - valid} bytes of torn or corrupt tail at offset {valid}"));
            using var handle = File.OpenHandle(SegmentPath(segment), FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            RandomAccess.SetLength(handle, valid);
            RandomAccess.FlushToDisk(handle);
            _segments[segment] = valid;
        }
    }

    // The limit of readable bytes in the read segment; moves to the next segment when the read one is gone.
    private bool TryLimit(out long limit)
    {
        lock (_lock)
        {
            if (_segments.TryGetValue(_read.Segment, out limit))
            {
                return true;
            }

            foreach (var (segment, length) in _segments)
            {
                if (segment > _read.Segment)
                {
                    _read = new WalPosition(segment, 0);
                    limit = length;
                    return true;
                }
            }

            return false;
        }
    }

    private bool AdvanceSegment()
    {
        lock (_lock)
        {
            foreach (var segment in _segments.Keys)
            {
                if (segment > _read.Segment)
                {
                    _read = new WalPosition(segment, 0);
                    return true;
                }
            }

            return false;
        }
    }

    private WalRecord? ReadOne(long limit)
    {
        if (_readHandleSegment != _read.Segment)
        {
            _readHandle?.Dispose();
            _readHandle = File.OpenHandle(SegmentPath(_read.Segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            _readHandleSegment = _read.Segment;
        }

        var frame = ReadFrame(_readHandle!, _read.Offset, limit, out var entry);
        if (frame <= 0)
        {
            _onCorrupt(string.Create(CultureInfo.InvariantCulture, $"segment {_read.Segment}: corrupt frame at offset {_read.Offset}; {limit - _read.Offset} bytes skipped"));
            _read = new WalPosition(_read.Segment, limit);
            return null;
        }

        return new WalRecord(entry!, new WalPosition(_read.Segment, _read.Offset + frame));
    }

    // The frame's length, or -1 when the bytes at offset are not a whole, intact frame.
    private static int ReadFrame(SafeFileHandle handle, long offset, long limit, out AuditEntry? entry)
    {
        entry = null;
        Span<byte> header = stackalloc byte[WalFrame.HeaderBytes];
        if (limit - offset < WalFrame.HeaderBytes || RandomAccess.Read(handle, header, offset) != WalFrame.HeaderBytes)
        {
            return -1;
        }

        var payloadLength = WalFrame.PayloadLength(header, MaxPayload);
        if (payloadLength < 0 || limit - offset - WalFrame.HeaderBytes < payloadLength)
        {
            return -1;
        }

        var payload = ArrayPool<byte>.Shared.Rent(payloadLength);
        try
        {
            var span = payload.AsSpan(0, payloadLength);
            if (RandomAccess.Read(handle, span, offset + WalFrame.HeaderBytes) != payloadLength)
            {
                return -1;
            }

            entry = WalFrame.Decode(header, span);
            return entry is null ? -1 : WalFrame.HeaderBytes + payloadLength;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }
}

using EnvoyGovern.Governance.Audit.Delivery.Wal;
using static EnvoyGovern.Tests.Audit.Delivery.DeliveryFixtures;

namespace EnvoyGovern.Tests.Audit.Delivery;

public sealed class WriteAheadLogTests
{
    [Fact]
    public void ReadBatch_AfterAppends_ReturnsRecordsInOrderWithBytesUnchanged()
    {
        using var dir = new TempDirectory();
        using var wal = OpenWal(Options(dir.Path));
        var entries = Enumerable.Range(0, 10).Select(i => Entry(i)).ToList();
        Assert.All(entries, e => Assert.Equal(WalAppendResult.Appended, wal.TryAppend(e)));

        var batch = wal.ReadBatch(100, 1024 * 1024);

        Assert.Equal(entries.Select(e => e.EventId), batch.Select(r => r.Entry.EventId));
        Assert.Equal(entries[3].Utf8Json.ToArray(), batch[3].Entry.Utf8Json.ToArray());
        Assert.Equal(entries[3].Stream, batch[3].Entry.Stream);
        Assert.Equal(entries[3].Sequence, batch[3].Entry.Sequence);
    }

    [Fact]
    public void ReadBatch_CountAndByteLimits_BoundEachBatch()
    {
        using var dir = new TempDirectory();
        using var wal = OpenWal(Options(dir.Path));
        for (var i = 0; i < 20; i++)
        {
            wal.TryAppend(Entry(i, padding: 1000));
        }

        Assert.Equal(7, wal.ReadBatch(7, 1024 * 1024).Count);
        // Each record is a little over 1 KB: 3 KB of budget holds two whole ones.
        Assert.Equal(2, wal.ReadBatch(100, 3 * 1024).Count);
        Assert.Equal(11, wal.ReadBatch(100, 1024 * 1024).Count);
        Assert.Empty(wal.ReadBatch(100, 1024 * 1024));
    }

    [Fact]
    public void Open_AfterCommit_ReplaysOnlyUncommittedRecords()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path);
        using (var wal = OpenWal(options))
        {
            for (var i = 0; i < 10; i++)
            {
                wal.TryAppend(Entry(i));
            }

            var first = wal.ReadBatch(4, 1024 * 1024);
            wal.Commit(first[^1].End);
        }

        using var reopened = OpenWal(options);
        var replay = reopened.ReadBatch(100, 1024 * 1024);

        Assert.Equal(Enumerable.Range(4, 6).Select(Id), replay.Select(r => r.Entry.EventId));
    }

    [Fact]
    public void IsDrained_AfterRestartWithEverythingCommitted_TrueAndFalseOnceMoreIsAppended()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path);
        using (var wal = OpenWal(options))
        {
            for (var i = 0; i < 100; i++)
            {
                wal.TryAppend(Entry(i, padding: 2000));
            }

            Assert.False(wal.IsDrained);
            wal.Commit(ReadAll(wal)[^1].End);
        }

        using var reopened = OpenWal(options);
        Assert.True(reopened.IsDrained);
        Assert.Empty(reopened.ReadBatch(10, 1024 * 1024));
        reopened.TryAppend(Entry(100));
        Assert.False(reopened.IsDrained);
    }

    [Fact]
    public void Open_AbandonedWithoutDispose_ReplaysEveryAppendedRecord()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path);
        var abandoned = OpenWal(options);
        for (var i = 0; i < 300; i++)
        {
            abandoned.TryAppend(Entry(i, padding: 500));
        }

        // No dispose, no flush: what a crash leaves behind (the data is in the page cache, as after a kill).
        using var reopened = OpenWal(options);
        var ids = ReadAll(reopened).Select(r => r.Entry.EventId).ToList();

        Assert.Equal(Enumerable.Range(0, 300).Select(Id), ids);
    }

    [Fact]
    public void Open_TornTail_CutsItAndKeepsWholeRecords()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path);
        using (var wal = OpenWal(options))
        {
            for (var i = 0; i < 5; i++)
            {
                wal.TryAppend(Entry(i));
            }
        }

        var segment = Directory.GetFiles(dir.Path, "*.wal").Single();
        var whole = new FileInfo(segment).Length;
        using (var file = new FileStream(segment, FileMode.Append))
        {
            // Half a frame: a length that promises more than follows.
            file.Write([200, 0, 0, 0, 1, 2, 3, 4, 5, 6]);
        }

        var corrupt = new List<string>();
        using var reopened = OpenWal(options, corrupt: corrupt);
        reopened.TryAppend(Entry(5));
        var ids = reopened.ReadBatch(100, 1024 * 1024).Select(r => r.Entry.EventId);

        Assert.Equal(Enumerable.Range(0, 6).Select(Id), ids);
        Assert.Single(corrupt);
        Assert.True(new FileInfo(segment).Length > whole);
    }

    [Fact]
    public void ReadBatch_CorruptFrameInOlderSegment_SkipsRestOfSegmentAndReportsIt()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path);
        var corrupt = new List<string>();
        using var wal = OpenWal(options, corrupt: corrupt);
        // 64 KB segments, ~2 KB records: several segments.
        for (var i = 0; i < 100; i++)
        {
            wal.TryAppend(Entry(i, padding: 2000));
        }

        var first = Directory.GetFiles(dir.Path, "*.wal").Order(StringComparer.Ordinal).First();
        using (var file = new FileStream(first, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.Position = 8 + 20;
            file.WriteByte(0xFF);
        }

        var ids = ReadAll(wal).Select(r => r.Entry.EventId).ToList();

        Assert.Single(corrupt);
        Assert.DoesNotContain(Id(0), ids);
        Assert.Contains(Id(99), ids);
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
    }

    [Fact]
    public void Commit_PastWholeSegments_DeletesThemAndFreesBudget()
    {
        using var dir = new TempDirectory();
        using var wal = OpenWal(Options(dir.Path));
        for (var i = 0; i < 100; i++)
        {
            wal.TryAppend(Entry(i, padding: 2000));
        }

        var segmentsBefore = Directory.GetFiles(dir.Path, "*.wal").Length;
        var bytesBefore = wal.QueuedBytes;
        var all = ReadAll(wal);

        var freed = wal.RoomFreed;
        wal.Commit(all[^1].End);

        Assert.True(segmentsBefore > 2);
        Assert.Single(Directory.GetFiles(dir.Path, "*.wal"));
        Assert.True(wal.QueuedBytes < bytesBefore);
        Assert.True(freed.IsCompleted);
        Assert.True(wal.IsDrained);
    }

    [Fact]
    public void TryAppend_BudgetExhausted_ReportsFullUntilCommitFreesRoom()
    {
        using var dir = new TempDirectory();
        using var wal = OpenWal(Options(dir.Path, o => o.MaxQueueBytes = 256 * 1024));
        var appended = 0;
        while (wal.TryAppend(Entry(appended, padding: 2000)) == WalAppendResult.Appended)
        {
            appended++;
        }

        Assert.InRange(appended, 100, 130);
        Assert.True(wal.QueuedBytes <= 256 * 1024);
        wal.Commit(wal.ReadBatch(100, 1024 * 1024)[^1].End);

        Assert.Equal(WalAppendResult.Appended, wal.TryAppend(Entry(appended, padding: 2000)));
    }

    [Fact]
    public void TryAppend_RecordOverMaxRecordBytes_IsTooLarge()
    {
        using var dir = new TempDirectory();
        using var wal = OpenWal(Options(dir.Path, o => o.MaxRecordBytes = 4096));

        Assert.Equal(WalAppendResult.TooLarge, wal.TryAppend(Entry(0, padding: 5000)));
        Assert.Equal(0, wal.QueuedBytes);
    }

    private static List<WalRecord> ReadAll(AuditWriteAheadLog wal)
    {
        var all = new List<WalRecord>();
        while (wal.ReadBatch(64, 1024 * 1024) is { Count: > 0 } batch)
        {
            all.AddRange(batch);
        }

        return all;
    }
}

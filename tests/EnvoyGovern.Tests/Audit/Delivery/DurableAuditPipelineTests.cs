using EnvoyGovern.Governance.Audit;
using EnvoyGovern.Governance.Audit.Delivery;
using EnvoyGovern.Governance.Audit.Delivery.Wal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Prometheus;
using static EnvoyGovern.Tests.Audit.Delivery.DeliveryFixtures;

namespace EnvoyGovern.Tests.Audit.Delivery;

// The drop counter is process-wide; these tests read its deltas, so they do not run beside each other.
[Collection(nameof(AuditDropCounter))]
public sealed class DurableAuditPipelineTests
{
    [Fact]
    public async Task WriteAsync_RoomInQueue_ReturnsTrueAndRecordIsQueued()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path);
        using var wal = OpenWal(options);
        var pipeline = Pipeline(wal, options, new FakeTimeProvider());

        Assert.True(await pipeline.WriteAsync(Entry(1), CancellationToken.None));
        Assert.Equal(Id(1), Assert.Single(wal.ReadBatch(10, 1024 * 1024)).Entry.EventId);
    }

    [Fact]
    public async Task WriteAsync_QueueFullUnderDrop_ReturnsFalseAndCountsDrop()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path, o =>
        {
            o.Overflow = AuditOverflowPolicy.Drop;
            o.MaxQueueBytes = 128 * 1024;
        });
        using var wal = OpenWal(options);
        var pipeline = Pipeline(wal, options, new FakeTimeProvider());
        var before = AuditDropCounter.Value(DropReasons.QueueFull);

        var results = new List<bool>();
        for (var i = 0; i < 100; i++)
        {
            results.Add(await pipeline.WriteAsync(Entry(i, padding: 2000), CancellationToken.None));
        }

        var dropped = results.Count(r => !r);
        Assert.InRange(dropped, 30, 60);
        Assert.All(results.SkipWhile(r => r), Assert.False);
        Assert.Equal(dropped, AuditDropCounter.Value(DropReasons.QueueFull) - before);
    }

    [Fact]
    public async Task WriteAsync_QueueFullUnderBlock_ThrowsUnavailableAfterBudget()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path, o =>
        {
            o.MaxQueueBytes = 128 * 1024;
            o.BlockBudget = TimeSpan.FromMilliseconds(50);
        });
        using var wal = OpenWal(options);
        var time = new FakeTimeProvider();
        var pipeline = Pipeline(wal, options, time);
        var write = pipeline.WriteAsync(Entry(Fill(wal), padding: 2000), CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(49));
        await Task.Delay(20);
        Assert.False(write.IsCompleted, "gave up before the budget ran out");
        time.Advance(TimeSpan.FromMilliseconds(2));

        await Assert.ThrowsAsync<AuditUnavailableException>(() => write);
    }

    [Fact]
    public async Task WriteAsync_QueueFullUnderBlock_SucceedsWhenCommitFreesRoomWithinBudget()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path, o => o.MaxQueueBytes = 128 * 1024);
        using var wal = OpenWal(options);
        var time = new FakeTimeProvider();
        var pipeline = Pipeline(wal, options, time);
        var write = pipeline.WriteAsync(Entry(Fill(wal), padding: 2000), CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(20));
        wal.Commit(wal.ReadBatch(1000, 16 * 1024 * 1024)[^1].End);

        Assert.True(await write.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task WriteAsync_TooLargeUnderDrop_ReturnsFalseAndCountsTooLarge()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path, o =>
        {
            o.Overflow = AuditOverflowPolicy.Drop;
            o.MaxRecordBytes = 4096;
        });
        using var wal = OpenWal(options);
        var pipeline = Pipeline(wal, options, new FakeTimeProvider());
        var before = AuditDropCounter.Value(DropReasons.TooLarge);

        Assert.False(await pipeline.WriteAsync(Entry(0, padding: 8000), CancellationToken.None));
        Assert.Equal(1, AuditDropCounter.Value(DropReasons.TooLarge) - before);
    }

    // Appends until the log is full; returns the next free record number.
    private static int Fill(AuditWriteAheadLog wal)
    {
        var i = 0;
        while (wal.TryAppend(Entry(i++, padding: 2000)) == WalAppendResult.Appended)
        {
        }

        return i;
    }

    private static DurableAuditPipeline Pipeline(AuditWriteAheadLog wal, AuditDeliveryOptions options, TimeProvider time) =>
        new(wal, Wrap(options), new AuditDeliveryMetrics(), time, NullLogger<DurableAuditPipeline>.Instance);
}

/// <summary>Reads <c>envoygovern_audit_dropped_total</c>; names the collection of tests that assert on it.</summary>
[CollectionDefinition(nameof(AuditDropCounter))]
public sealed class AuditDropCounter
{
    public static double Value(string reason) =>
        Metrics.CreateCounter("envoygovern_audit_dropped_total", "", new CounterConfiguration { LabelNames = ["reason"] })
            .WithLabels(reason).Value;
}

using System.Text.Json;
using EnvoyGovern.Governance.Audit;
using EnvoyGovern.Governance.Audit.Delivery;
using EnvoyGovern.Governance.Audit.Delivery.Wal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static EnvoyGovern.Tests.Audit.Delivery.DeliveryFixtures;

namespace EnvoyGovern.Tests.Audit.Delivery;

public sealed class AuditDeliveryWorkerTests
{
    [Fact]
    public async Task Deliver_SinkFailsThenRecovers_EveryRecordStoredExactlyOnce()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path);
        var time = new FakeTimeProvider();
        using var wal = OpenWal(options, time);
        var sink = new RecordingSink { FailFirstBatches = 5 };
        using var worker = Worker(wal, sink, options, time);
        await worker.StartAsync(CancellationToken.None);

        for (var i = 0; i < 500; i++)
        {
            Assert.Equal(WalAppendResult.Appended, wal.TryAppend(Entry(i)));
        }

        await EventuallyAsync(() => wal.IsDrained, time, TimeSpan.FromMilliseconds(200), "queue not drained");
        await worker.StopAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 500).Select(Id).Order(StringComparer.Ordinal), sink.Stored.Keys.Order(StringComparer.Ordinal));
        Assert.All(sink.Stored.Values, n => Assert.Equal(1, n));
        Assert.True(sink.Batches > 5);
    }

    [Fact]
    public async Task Deliver_ItemLevelRefusals_DeadLettersThemAndStoresTheRestOnce()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path);
        var time = new FakeTimeProvider();
        using var wal = OpenWal(options, time);
        var refused = new HashSet<string> { Id(7), Id(123), Id(499) };
        var sink = new RecordingSink { Refuse = refused, FailFirstBatches = 2 };
        var deadLetters = new DeadLetterFile(dir.Path, time);
        using var worker = Worker(wal, sink, options, time, deadLetters);
        await worker.StartAsync(CancellationToken.None);

        for (var i = 0; i < 500; i++)
        {
            wal.TryAppend(Entry(i));
        }

        await EventuallyAsync(() => wal.IsDrained, time, TimeSpan.FromMilliseconds(200), "queue not drained");
        await worker.StopAsync(CancellationToken.None);

        Assert.Equal(497, sink.Stored.Count);
        Assert.All(sink.Stored.Values, n => Assert.Equal(1, n));
        var lines = File.ReadAllLines(deadLetters.FilePath).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(refused.Order(StringComparer.Ordinal), lines.Select(l => l.GetProperty("event_id").GetString()!).Order(StringComparer.Ordinal));
        var first = lines.Single(l => l.GetProperty("event_id").GetString() == Id(7));
        Assert.Contains("mapper_parsing_exception", first.GetProperty("reason").GetString(), StringComparison.Ordinal);
        // The record's bytes are kept as they were, so its hash chain still verifies.
        Assert.Equal(System.Text.Encoding.UTF8.GetString(Entry(7).Utf8Json.Span), first.GetProperty("record").GetRawText());
    }

    [Fact]
    public async Task Deliver_SinkDown_RetriesWithGrowingJitteredBackoff()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path, o =>
        {
            o.RetryBaseDelay = TimeSpan.FromSeconds(1);
            o.RetryMaxDelay = TimeSpan.FromSeconds(4);
        });
        var time = new FakeTimeProvider();
        using var wal = OpenWal(options, time);
        var attempts = new List<DateTimeOffset>();
        var sink = new RecordingSink
        {
            FailFirstBatches = 5,
            OnBatch = (_, _) =>
            {
                lock (attempts)
                {
                    attempts.Add(time.GetUtcNow());
                }

                return Task.CompletedTask;
            },
        };
        using var worker = Worker(wal, sink, options, time);
        await worker.StartAsync(CancellationToken.None);
        wal.TryAppend(Entry(1));

        await EventuallyAsync(() => wal.IsDrained, time, TimeSpan.FromMilliseconds(50), "queue not drained");
        await worker.StopAsync(CancellationToken.None);

        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => b - a).ToList();
        Assert.Equal(5, gaps.Count);
        var backoff = new RetryBackoff(options.RetryBaseDelay, options.RetryMaxDelay, new Random(1));
        for (var attempt = 1; attempt <= gaps.Count; attempt++)
        {
            var (min, max) = backoff.Bounds(attempt);
            // Never sooner than the backoff allows. Later only by the test loop's steps of fake time (50 ms each) that
            // pass while the worker resumes on a busy machine: a generous margin keeps this test about the lower bound.
            Assert.InRange(gaps[attempt - 1], min, max + TimeSpan.FromMilliseconds(500));
        }

        Assert.True(gaps[^1] >= TimeSpan.FromSeconds(2), "the cap (4 s) with equal jitter never waits under 2 s");
        Assert.True(gaps[0] < gaps[^1], "the delay grows");
    }

    [Fact]
    public async Task Deliver_CrashBeforeCommit_ReopenedQueueReplaysAndIdempotentSinkHoldsEachOnce()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path);
        var time = new FakeTimeProvider();
        var stored = new HashSet<string>();
        var release = new TaskCompletionSource();
        // First life: the sink stores two batches but hangs before acknowledging the second, as if the process died there.
        var firstLife = OpenWal(options, time);
        var calls = 0;
        var hanging = new RecordingSink
        {
            OnBatch = async (batch, ct) =>
            {
                lock (stored)
                {
                    stored.UnionWith(batch.Select(e => e.EventId));
                }

                if (Interlocked.Increment(ref calls) == 2)
                {
                    await release.Task.WaitAsync(ct);
                }
            },
        };
        var worker = Worker(firstLife, hanging, options, time);
        await worker.StartAsync(CancellationToken.None);
        for (var i = 0; i < 300; i++)
        {
            firstLife.TryAppend(Entry(i));
        }

        await EventuallyAsync(() => Volatile.Read(ref calls) >= 2, time);
        // Abandoned: no stop, no dispose; the second batch is in the sink but not committed.

        using var secondLife = OpenWal(options, time);
        var sink = new RecordingSink();
        using var secondWorker = Worker(secondLife, sink, options, time);
        await secondWorker.StartAsync(CancellationToken.None);
        await EventuallyAsync(() => secondLife.IsDrained, time);
        await secondWorker.StopAsync(CancellationToken.None);
        await worker.StopAsync(CancellationToken.None);
        worker.Dispose();

        Assert.Equal(300, stored.Union(sink.Stored.Keys).Count());
        Assert.All(sink.Stored.Values, n => Assert.Equal(1, n));
        // Replay starts at the committed offset: the acknowledged first batch is not sent again, the unacknowledged
        // second one is (an idempotent sink keeps one copy).
        Assert.DoesNotContain(Id(0), sink.Stored.Keys);
        Assert.Contains(Id(options.BatchSize), sink.Stored.Keys);
    }

    private static AuditDeliveryWorker Worker(AuditWriteAheadLog wal, IAuditSink sink, AuditDeliveryOptions options, TimeProvider time, DeadLetterFile? deadLetters = null) =>
        new(wal, sink, deadLetters ?? new DeadLetterFile(options.QueueDirectory, time), Wrap(options), new AuditDeliveryMetrics(), time, NullLogger<AuditDeliveryWorker>.Instance);
}

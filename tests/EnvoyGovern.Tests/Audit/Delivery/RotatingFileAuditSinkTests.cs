using System.Text;
using EnvoyGovern.Governance.Audit;
using EnvoyGovern.Governance.Audit.Delivery;
using EnvoyGovern.Governance.Audit.Delivery.FileSink;
using Microsoft.Extensions.Time.Testing;
using static EnvoyGovern.Tests.Audit.Delivery.DeliveryFixtures;

namespace EnvoyGovern.Tests.Audit.Delivery;

public sealed class RotatingFileAuditSinkTests
{
    [Fact]
    public async Task WriteBatch_Records_OneUnchangedLinePerRecord()
    {
        using var dir = new TempDirectory();
        var options = FileOptions(dir);
        using (var sink = new RotatingFileAuditSink(Wrap(options), new FakeTimeProvider()))
        {
            Assert.Empty(await sink.WriteBatchAsync(Batch(0, 3), CancellationToken.None));
        }

        var lines = AllLines(options);
        Assert.Equal(Batch(0, 3).Select(e => Encoding.UTF8.GetString(e.Utf8Json.Span)), lines);
    }

    [Fact]
    public async Task WriteBatch_SameBatchAgainAfterRestart_WrittenOnce()
    {
        using var dir = new TempDirectory();
        var options = FileOptions(dir);
        using (var sink = new RotatingFileAuditSink(Wrap(options), new FakeTimeProvider()))
        {
            await sink.WriteBatchAsync(Batch(0, 10), CancellationToken.None);
            // An unacknowledged batch replayed in the same life.
            await sink.WriteBatchAsync(Batch(5, 10), CancellationToken.None);
        }

        using (var restarted = new RotatingFileAuditSink(Wrap(options), new FakeTimeProvider()))
        {
            // And after a restart: the ids are read back from the file's tail.
            await restarted.WriteBatchAsync(Batch(10, 10), CancellationToken.None);
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(Id), AllLines(options).Select(IdOf));
    }

    [Fact]
    public async Task Open_TornLastLine_IsCutBeforeNewRecords()
    {
        using var dir = new TempDirectory();
        var options = FileOptions(dir);
        using (var sink = new RotatingFileAuditSink(Wrap(options), new FakeTimeProvider()))
        {
            await sink.WriteBatchAsync(Batch(0, 2), CancellationToken.None);
        }

        var file = Directory.GetFiles(options.File.Directory).Single();
        File.AppendAllText(file, """{"event":{"id":"evt-torn","ki""");
        using (var sink = new RotatingFileAuditSink(Wrap(options), new FakeTimeProvider()))
        {
            await sink.WriteBatchAsync(Batch(2, 1), CancellationToken.None);
        }

        Assert.Equal(Enumerable.Range(0, 3).Select(Id), AllLines(options).Select(IdOf));
    }

    [Fact]
    public async Task WriteBatch_PastSizeOrAge_RotatesAndKeepsRetainedCount()
    {
        using var dir = new TempDirectory();
        var options = FileOptions(dir, f =>
        {
            f.MaxFileBytes = 64 * 1024;
            f.RetainedFiles = 3;
            f.RollInterval = TimeSpan.FromMinutes(10);
        });
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero));
        using var sink = new RotatingFileAuditSink(Wrap(options), time);
        await sink.WriteBatchAsync(Batch(0, 1), CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(11));
        await sink.WriteBatchAsync(Batch(1, 1), CancellationToken.None);
        Assert.Equal(2, Directory.GetFiles(options.File.Directory).Length);

        for (var i = 2; i < 200; i += 20)
        {
            await sink.WriteBatchAsync(Batch(i, 20, padding: 1000), CancellationToken.None);
        }

        var files = Directory.GetFiles(options.File.Directory).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, files.Count);
        Assert.All(files.SkipLast(1), f => Assert.InRange(new FileInfo(f).Length, 64 * 1024, 64 * 1024 + (21 * 1200)));
        Assert.DoesNotContain(files, f => f.EndsWith("20261126T100000Z.ndjson", StringComparison.Ordinal));
        Assert.EndsWith("20261126T101100Z.ndjson", files[^1], StringComparison.Ordinal);
    }

    private static AuditDeliveryOptions FileOptions(TempDirectory dir, Action<FileAuditSinkOptions>? change = null) =>
        Options(dir.Sub("queue"), o =>
        {
            o.File.Directory = dir.Sub("files");
            change?.Invoke(o.File);
        });

    private static List<AuditEntry> Batch(int start, int count, int padding = 0) =>
        Enumerable.Range(start, count).Select(i => Entry(i, padding)).ToList();

    private static List<string> AllLines(AuditDeliveryOptions options) =>
        Directory.GetFiles(options.File.Directory).Order(StringComparer.Ordinal).SelectMany(File.ReadAllLines).ToList();

    private static string IdOf(string line) =>
        EcsEventId.TryRead(Encoding.UTF8.GetBytes(line), out var id) ? id : $"<no id: {line}>";
}

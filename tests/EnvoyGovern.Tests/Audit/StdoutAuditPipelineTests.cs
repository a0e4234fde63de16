using System.Text;
using EnvoyGovern.Governance.Audit;
using EnvoyGovern.Governance.Audit.Recording;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Tests.Audit;

/// <summary>The default pipeline: NDJSON lines in chain order, and fail-closed when stdout is stuck.</summary>
public sealed class StdoutAuditPipelineTests : IDisposable
{
    private readonly AuditTestKit _kit = new();

    [Fact]
    public async Task WriteAsync_ConcurrentRecords_OneLinePerRecordInChainOrder()
    {
        using var output = new MemoryStream();
        var pipeline = new StdoutAuditPipeline(output, Options.Create(new AuditRecordingOptions()), NullLogger<StdoutAuditPipeline>.Instance);
        var recorder = _kit.Recorder(pipeline);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => AuditTestKit.WriteAsync(recorder, 25))));
        await pipeline.DisposeAsync();

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(100, lines.Length);
        var sequences = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("envoygovern.audit.chain.seq").GetInt64());
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), sequences);
    }

    [Fact]
    public async Task WriteAsync_StdoutStuckAndCapacityReached_RefusesAtOnce()
    {
        using var stuck = new StuckStream();
        var pipeline = new StdoutAuditPipeline(stuck, Options.Create(new AuditRecordingOptions { StdoutCapacity = 16 }), NullLogger<StdoutAuditPipeline>.Instance);
        var entry = new AuditEntry("e", "s", 1, "{}"u8.ToArray());

        // The first write is taken by the writer and hangs in Write; then 16 may wait.
        var waiting = new List<Task<bool>> { pipeline.WriteAsync(entry, CancellationToken.None).AsTask() };
        Assert.True(stuck.Entered.Wait(TimeSpan.FromSeconds(5)));
        for (var i = 0; i < 16; i++)
        {
            waiting.Add(pipeline.WriteAsync(entry, CancellationToken.None).AsTask());
        }

        // Refused synchronously, before any await: the recorder then does not advance the chain.
        Assert.Throws<AuditUnavailableException>(() => waiting.Add(pipeline.WriteAsync(entry, CancellationToken.None).AsTask()));
        Assert.All(waiting, w => Assert.False(w.IsCompleted));
        stuck.Release.Set();
        await pipeline.DisposeAsync();
    }

    public void Dispose() => _kit.Dispose();

    private sealed class StuckStream : MemoryStream
    {
        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Entered.Set();
            Release.Wait(TimeSpan.FromSeconds(10));
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Entered.Dispose();
                Release.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

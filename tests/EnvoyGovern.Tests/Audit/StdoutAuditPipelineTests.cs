using System.Text;
using EnvoyGovern.Governance.Audit;
using EnvoyGovern.Governance.Audit.Recording;
using EnvoyGovern.Governance.Audit.Verification;
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

        // The first caller writes its record itself and hangs in Write (on a thread of its own here); then 16 may wait.
        var waiting = new List<Task<bool>> { Task.Run(() => pipeline.WriteAsync(entry, CancellationToken.None).AsTask()) };
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

    [Fact]
    public async Task WriteAsync_NoOtherWriter_CompletesOnTheCallersThreadWithItsLine()
    {
        using var output = new MemoryStream();
        var pipeline = new StdoutAuditPipeline(output, Options.Create(new AuditRecordingOptions()), NullLogger<StdoutAuditPipeline>.Instance);

        var written = pipeline.WriteAsync(new AuditEntry("e", "s", 1, "{\"a\":1}"u8.ToArray()), CancellationToken.None);

        // No hand-off to another thread: the line is out before WriteAsync returns.
        Assert.True(written.IsCompletedSuccessfully);
        Assert.Equal("{\"a\":1}\n", Encoding.UTF8.GetString(output.ToArray()));
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task RecordAsync_ManyConcurrentWriters_EveryRecordOnceAndTheChainVerifies()
    {
        using var output = new MemoryStream();
        var pipeline = new StdoutAuditPipeline(output, Options.Create(new AuditRecordingOptions()), NullLogger<StdoutAuditPipeline>.Instance);
        var recorder = _kit.Recorder(pipeline);

        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => AuditTestKit.WriteAsync(recorder, 200))));

        // Every call has returned, so every line must be out already: nothing may wait for DisposeAsync.
        var bytes = output.ToArray();
        var lines = Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3200, lines.Length);
        using var input = new MemoryStream(bytes);
        var verified = await AuditChainVerifier.VerifyAsync(input, signer: null, partial: false, CancellationToken.None);
        Assert.True(verified.Intact, verified.Break?.Message);
        Assert.Equal(3200, verified.Records);
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task RecordAsync_WriterBlockedPastBudget_OthersFailClosedAndEveryRecordIsWrittenOnceUnblocked()
    {
        using var stuck = new StuckStream();
        var pipeline = new StdoutAuditPipeline(stuck, Options.Create(new AuditRecordingOptions()), NullLogger<StdoutAuditPipeline>.Instance);
        var recorder = _kit.Recorder(pipeline, o => o.WriteBudget = TimeSpan.FromMilliseconds(100));

        // The first caller writes and blocks in write(2); the next ones wait for the batch after it.
        var first = Task.Run(() => AuditTestKit.WriteAsync(recorder, 1));
        Assert.True(stuck.Entered.Wait(TimeSpan.FromSeconds(5)));
        var waiting = Enumerable.Range(0, 5).Select(_ => AuditTestKit.WriteAsync(recorder, 1)).ToList();
        Assert.All(waiting, w => Assert.False(w.IsCompleted));

        _kit.Time.Advance(TimeSpan.FromMilliseconds(101));
        foreach (var call in waiting)
        {
            await Assert.ThrowsAsync<AuditUnavailableException>(() => call);
        }

        Assert.False(first.IsCompleted);
        stuck.Release.Set();
        await first;
        await pipeline.DisposeAsync();

        // The calls failed closed, but their records were taken into the chain and are written, in order.
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), stuck.Sequences());
    }

    [Fact]
    public async Task Enqueue_WhileAnotherCallerWrites_WrittenAfterItWithoutAnotherCommit()
    {
        using var stuck = new StuckStream();
        var pipeline = new StdoutAuditPipeline(stuck, Options.Create(new AuditRecordingOptions()), NullLogger<StdoutAuditPipeline>.Instance);
        var first = Task.Run(() => pipeline.WriteAsync(Entry(1), CancellationToken.None).AsTask());
        Assert.True(stuck.Entered.Wait(TimeSpan.FromSeconds(5)));

        // Its Commit finds the write in progress and returns; the writer must not leave it behind.
        var second = pipeline.WriteAsync(Entry(2), CancellationToken.None);
        Assert.False(second.IsCompleted);
        stuck.Release.Set();

        Assert.True(await first.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(await second.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal([1L, 2L], stuck.Sequences());
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task WriteAsync_AnotherWriteEndsWhileItWaits_WrittenOnTheCallersThreadWithoutADrain()
    {
        using var stuck = new StuckStream();
        var pipeline = new StdoutAuditPipeline(stuck, Options.Create(new AuditRecordingOptions()), NullLogger<StdoutAuditPipeline>.Instance, TimeSpan.FromSeconds(10));
        var first = Task.Run(() => pipeline.WriteAsync(Entry(1), CancellationToken.None).AsTask());
        Assert.True(stuck.Entered.Wait(TimeSpan.FromSeconds(5)));

        // Its Commit finds the write in progress and waits for it on its own thread, then writes its record itself: the
        // call is complete when WriteAsync returns, with no completion source, timer or thread-pool item.
        stuck.Entered.Reset();
        var second = Task.Run(() =>
        {
            var written = pipeline.WriteAsync(Entry(2), CancellationToken.None);
            return written.IsCompletedSuccessfully && written.Result;
        });
        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        stuck.Release.Set();

        Assert.True(await first.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(await second.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal([1L, 2L], stuck.Sequences());
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task WriteAsync_StdoutFails_AuditUnavailableForTheBatch()
    {
        var pipeline = new StdoutAuditPipeline(new FailingStream(), Options.Create(new AuditRecordingOptions()), NullLogger<StdoutAuditPipeline>.Instance);

        var written = pipeline.WriteAsync(Entry(1), CancellationToken.None);

        await Assert.ThrowsAsync<AuditUnavailableException>(() => written.AsTask());
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task WriteAsync_NoOtherWriter_AllocatesNothingPerRecord()
    {
        // A stream that keeps nothing: a MemoryStream would allocate as it grows.
        var pipeline = new StdoutAuditPipeline(Stream.Null, Options.Create(new AuditRecordingOptions()), NullLogger<StdoutAuditPipeline>.Instance);
        var record = "{\"a\":1}"u8.ToArray();
        for (var i = 0; i < 10; i++)
        {
            WriteOwn(pipeline, record);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            WriteOwn(pipeline, record);
        }

        // The caller writes its own batch: no completion source, no task, nothing per record.
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task WhenWritten_AskedAfterALaterBatchWasWritten_StillReportsItsBatchFailed()
    {
        var stream = new FailingOnceStream();
        var pipeline = new StdoutAuditPipeline(stream, Options.Create(new AuditRecordingOptions()), NullLogger<StdoutAuditPipeline>.Instance);

        var failed = pipeline.Enqueue("{\"a\":1}"u8);
        Assert.False(pipeline.Commit());
        var written = pipeline.Enqueue("{\"a\":2}"u8);
        Assert.True(pipeline.Commit());

        var outcome = pipeline.WhenWritten(written);
        Assert.True(outcome.IsCompletedSuccessfully);
        Assert.True(await outcome);
        await Assert.ThrowsAsync<AuditUnavailableException>(() => pipeline.WhenWritten(failed).AsTask());
        Assert.Equal("{\"a\":2}\n", Encoding.UTF8.GetString(stream.ToArray()));
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task WhenWritten_OutcomeNoLongerRemembered_FailsClosed()
    {
        var pipeline = new StdoutAuditPipeline(new FailingStream(), Options.Create(new AuditRecordingOptions()), NullLogger<StdoutAuditPipeline>.Instance);
        var first = pipeline.Enqueue("{}"u8);
        pipeline.Commit();
        for (var i = 0; i < 100; i++)
        {
            pipeline.Enqueue("{}"u8);
            pipeline.Commit();
        }

        // Only the last failures are kept (bounded memory); an outcome that is not known is a failure, never a success.
        await Assert.ThrowsAsync<AuditUnavailableException>(() => pipeline.WhenWritten(first).AsTask());
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task WriteAsync_AfterDispose_Refused()
    {
        using var output = new MemoryStream();
        var pipeline = new StdoutAuditPipeline(output, Options.Create(new AuditRecordingOptions()), NullLogger<StdoutAuditPipeline>.Instance);
        await pipeline.DisposeAsync();

        var accepted = new List<Task<bool>>();
        Assert.Throws<AuditUnavailableException>(() => accepted.Add(pipeline.WriteAsync(Entry(1), CancellationToken.None).AsTask()));
        Assert.Empty(accepted);
    }

    private static AuditEntry Entry(long sequence) =>
        new($"e{sequence}", "s", sequence, Encoding.UTF8.GetBytes($"{{\"envoygovern.audit.chain.seq\":{sequence}}}"));

    public void Dispose() => _kit.Dispose();

    private static void WriteOwn(StdoutAuditPipeline pipeline, byte[] record)
    {
        var ticket = pipeline.Enqueue(record);
        Assert.True(pipeline.Commit());
        var written = pipeline.WhenWritten(ticket);
        Assert.True(written.IsCompletedSuccessfully && written.Result);
    }
}

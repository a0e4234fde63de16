using System.Text;
using EnvoyGovern.Governance.Audit;
using EnvoyGovern.Governance.Audit.Recording;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Tests.Audit;

/// <summary>A caller that finds the pipeline idle writes its line from its own buffer: same lines, order and outcomes.</summary>
public sealed class StdoutAuditPipelineClaimTests
{
    [Fact]
    public async Task EnqueueOrClaim_NothingPending_ClaimedAndWrittenFromTheCallersBytes()
    {
        using var output = new MemoryStream();
        var pipeline = Pipeline(output);
        var line = "{\"a\":1}\n"u8.ToArray();

        var ticket = pipeline.EnqueueOrClaim(line, out var claimed);
        Assert.True(claimed);
        Assert.Equal(0, output.Length);
        Assert.True(pipeline.CommitClaimed(line));

        var written = pipeline.WhenWritten(ticket);
        Assert.True(written.IsCompletedSuccessfully);
        Assert.True(await written);
        Assert.Equal("{\"a\":1}\n", Encoding.UTF8.GetString(output.ToArray()));
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task EnqueueOrClaim_WhileAClaimedLineIsWritten_EnqueuedAndWrittenAfterIt()
    {
        using var stuck = new StuckStream();
        var pipeline = Pipeline(stuck);
        var first = Line(1);
        var firstTicket = pipeline.EnqueueOrClaim(first, out var firstClaimed);
        Assert.True(firstClaimed);
        var writing = Task.Run(() => pipeline.CommitClaimed(first));
        Assert.True(stuck.Entered.Wait(TimeSpan.FromSeconds(5)));

        // The write in progress is this caller's predecessor: its line must wait for the next batch, not go first.
        var secondTicket = pipeline.EnqueueOrClaim(Line(2), out var secondClaimed);
        Assert.False(secondClaimed);
        Assert.NotEqual(firstTicket, secondTicket);
        pipeline.Commit();
        var second = pipeline.WhenWritten(secondTicket);
        Assert.False(second.IsCompleted);
        stuck.Release.Set();

        Assert.True(await writing.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(await second.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal([1L, 2L], stuck.Sequences());
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task EnqueueOrClaim_WhileRecordsArePending_EnqueuedBehindThem()
    {
        using var output = new MemoryStream();
        var pipeline = Pipeline(output);
        var pending = pipeline.Enqueue(Line(1).AsSpan(..^1));

        // Written before it would reorder the stream: it joins the pending batch.
        var ticket = pipeline.EnqueueOrClaim(Line(2), out var claimed);
        Assert.False(claimed);
        Assert.Equal(pending, ticket);
        Assert.True(pipeline.Commit());
        Assert.True(await pipeline.WhenWritten(ticket));
        Assert.Equal("{\"envoygovern.audit.chain.seq\":1}\n{\"envoygovern.audit.chain.seq\":2}\n", Encoding.UTF8.GetString(output.ToArray()));
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task CommitClaimed_StdoutFails_TicketFailsClosed()
    {
        var pipeline = Pipeline(new FailingStream());
        var line = Line(1);
        var ticket = pipeline.EnqueueOrClaim(line, out var claimed);
        Assert.True(claimed);

        Assert.False(pipeline.CommitClaimed(line));
        await Assert.ThrowsAsync<AuditUnavailableException>(() => pipeline.WhenWritten(ticket).AsTask());
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task EnqueueOrClaim_AfterDispose_Refused()
    {
        using var output = new MemoryStream();
        var pipeline = Pipeline(output);
        await pipeline.DisposeAsync();

        Assert.Throws<AuditUnavailableException>(() => pipeline.EnqueueOrClaim(Line(1), out _));
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public async Task EnqueueOrClaim_LineWithoutItsNewline_Refused()
    {
        using var output = new MemoryStream();
        var pipeline = Pipeline(output);

        Assert.Throws<ArgumentException>(() => pipeline.EnqueueOrClaim("{\"a\":1}"u8, out _));
        Assert.True(pipeline.Commit() is false);
        Assert.Equal(0, output.Length);
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task DisposeAsync_WhileALineIsClaimed_WaitsForItsWriteThenRefuses()
    {
        using var output = new MemoryStream();
        var pipeline = Pipeline(output);
        var line = Line(1);
        pipeline.EnqueueOrClaim(line, out var claimed);
        Assert.True(claimed);

        // The claimed line is its caller's to write: disposal neither writes it nor returns before it is written.
        var disposing = pipeline.DisposeAsync().AsTask();
        await Task.Delay(50);
        Assert.False(disposing.IsCompleted);
        Assert.True(pipeline.CommitClaimed(line));
        await disposing.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(Encoding.UTF8.GetString(line), Encoding.UTF8.GetString(output.ToArray()));
        Assert.Throws<AuditUnavailableException>(() => pipeline.EnqueueOrClaim(Line(2), out _));
    }

    private static StdoutAuditPipeline Pipeline(Stream output) =>
        new(output, Options.Create(new AuditRecordingOptions()), NullLogger<StdoutAuditPipeline>.Instance);

    private static byte[] Line(long sequence) => Encoding.UTF8.GetBytes($"{{\"envoygovern.audit.chain.seq\":{sequence}}}\n");
}

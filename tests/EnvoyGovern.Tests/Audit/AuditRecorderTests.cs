using System.Text;
using EnvoyGovern.Governance.Audit;
using EnvoyGovern.Governance.Audit.Chain;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Audit;

/// <summary>The chain and checkpoints as the recorder writes them.</summary>
public sealed class AuditRecorderTests : IDisposable
{
    private readonly AuditTestKit _kit = new();

    [Fact]
    public async Task RecordAsync_ThreeRecords_EachLinksToTheHashOfThePrevious()
    {
        var pipeline = new CapturingAuditPipeline();
        var recorder = _kit.Recorder(pipeline);

        await AuditTestKit.WriteAsync(recorder, 3);

        var entries = pipeline.Entries;
        Assert.Equal([1L, 2L, 3L], entries.Select(e => e.Sequence));
        Assert.All(entries, e => Assert.Equal(recorder.Stream, e.Stream));
        var previous = AuditChainFormat.Genesis;
        foreach (var entry in entries)
        {
            Assert.True(AuditChainFormat.TryOpen(entry.Utf8Json.Span, out var body, out var hash));
            Assert.Equal(AuditChainFormat.Hash(body), hash);
            Assert.Equal(previous, AuditTestKit.Field(entry, AuditChainFormat.PreviousField));
            Assert.Equal(entry.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), AuditTestKit.Field(entry, AuditChainFormat.SequenceField));
            Assert.EndsWith($",\"{AuditChainFormat.HashField}\":\"{hash}\"}}", Encoding.UTF8.GetString(entry.Utf8Json.Span), StringComparison.Ordinal);
            previous = hash;
        }

        Assert.Empty(pipeline.Problems);
    }

    [Fact]
    public async Task RecordAsync_EveryTwoRecordsWithKey_SignedCheckpointAfterEachPair()
    {
        var pipeline = new CapturingAuditPipeline();
        var key = _kit.KeyFile();
        var recorder = _kit.Recorder(pipeline, o =>
        {
            o.Checkpoint.KeyFile = key;
            o.Checkpoint.Every = 2;
        });

        await AuditTestKit.WriteAsync(recorder, 5);

        var actions = pipeline.Records.Select(r => CapturingAuditPipeline.Text(r, "event", "action") ?? "").ToArray();
        Assert.Equal(["test-action", "test-action", "audit-checkpoint", "test-action", "test-action", "audit-checkpoint", "test-action"], actions);
        var checkpoint = pipeline.Entries[2];
        var signature = CapturingAuditPipeline.Text(AuditTestKit.Parse(checkpoint), "envoygovern", "audit", "checkpoint", "signature")!;
        var signer = CheckpointSigner.FromFile(key);
        Assert.True(signer.Verify(recorder.Stream, 3, AuditTestKit.Field(checkpoint, AuditChainFormat.PreviousField), signature));
        Assert.False(new CheckpointSigner([.. Enumerable.Repeat((byte)8, 32)]).Verify(recorder.Stream, 3, AuditTestKit.Field(checkpoint, AuditChainFormat.PreviousField), signature));
        Assert.Empty(pipeline.Problems);
    }

    [Fact]
    public async Task CheckpointAsync_RecordsSinceLast_WritesOneThenNothingMore()
    {
        var pipeline = new CapturingAuditPipeline();
        var recorder = _kit.Recorder(pipeline, o => o.Checkpoint.KeyFile = _kit.KeyFile());
        await AuditTestKit.WriteAsync(recorder, 2);

        await recorder.CheckpointAsync(CancellationToken.None);
        await recorder.CheckpointAsync(CancellationToken.None);

        Assert.Equal(3, pipeline.Entries.Count);
        Assert.Equal("2", CapturingAuditPipeline.Text(pipeline.Records[2], "envoygovern", "audit", "checkpoint", "records"));
    }

    [Fact]
    public async Task RecordAsync_PipelineRefusesAtOnce_ThrowsAndLeavesNoGap()
    {
        var refuse = true;
        var pipeline = new ScriptedAuditPipeline(_ => refuse ? throw new AuditUnavailableException("full") : ValueTask.FromResult(true));
        var recorder = _kit.Recorder(pipeline);

        await Assert.ThrowsAsync<AuditUnavailableException>(() => AuditTestKit.WriteAsync(recorder, 1));
        refuse = false;
        await AuditTestKit.WriteAsync(recorder, 1);

        Assert.Equal(1, pipeline.Accepted.Single().Sequence);
        Assert.Equal(AuditChainFormat.Genesis, AuditTestKit.Field(pipeline.Accepted.Single(), AuditChainFormat.PreviousField));
    }

    [Fact]
    public async Task RecordAsync_PipelineSlowerThanBudget_AuditUnavailable()
    {
        var never = new TaskCompletionSource<bool>();
        var recorder = _kit.Recorder(new ScriptedAuditPipeline(_ => new ValueTask<bool>(never.Task)), o => o.WriteBudget = TimeSpan.FromMilliseconds(50));

        var writing = AuditTestKit.WriteAsync(recorder, 1);
        Assert.False(writing.IsCompleted);
        _kit.Time.Advance(TimeSpan.FromMilliseconds(60));

        await Assert.ThrowsAsync<AuditUnavailableException>(() => writing);
    }

    [Fact]
    public async Task RecordAsync_ConcurrentWriters_PipelineSeesChainOrder()
    {
        var pipeline = new CapturingAuditPipeline();
        var recorder = _kit.Recorder(pipeline);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => AuditTestKit.WriteAsync(recorder, 50))));

        Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), pipeline.Entries.Select(e => e.Sequence));
    }

    public void Dispose() => _kit.Dispose();
}

using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Audit.Recording;
using EnvoyGovern.Tests.Policy;
using EnvoyGovern.TestSupport;
using Envoy.Service.ExtProc.V3;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using AuthorizationClient = Envoy.Service.Auth.V3.Authorization.AuthorizationClient;

namespace EnvoyGovern.Tests.Audit;

/// <summary>Dry-run outcomes, failed streams and timed checkpoints in the audit trail.</summary>
public sealed class AuditDetailTests : IDisposable
{
    private readonly AuditTestKit _kit = new();

    [Fact]
    public async Task Check_DryRunDenyRule_RecordSaysItWouldHaveDenied()
    {
        using var directory = new PolicyDirectory(("p.yaml", PolicyTexts.DryRunDeleteDeny));
        await using var service = await RunningService.StartExtAuthzAsync(null, directory.Setting);

        var response = await new AuthorizationClient(service.Channel).CheckAsync(new EnvoyCheckRequestBuilder().Method("DELETE").Build());

        var id = Assert.Single(response.OkResponse.Headers, h => h.Header.Key == GovernanceHeaders.DecisionId).Header.Value;
        var record = service.Audit.ForEvent(id);
        Assert.Equal("success", CapturingAuditPipeline.Text(record, "event", "outcome"));
        Assert.Equal("true", CapturingAuditPipeline.Text(record, "envoygovern", "dry_run", "would_deny"));
        Assert.Equal("block-deletes", CapturingAuditPipeline.Text(record, "envoygovern", "dry_run", "rule"));
    }

    [Fact]
    public async Task Process_ProtocolViolation_StreamStillRecorded()
    {
        await using var service = await RunningService.StartExtProcAsync();
        using var call = new ExternalProcessor.ExternalProcessorClient(service.Channel).Process();

        await call.RequestStream.WriteAsync(new ProcessingRequest());
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        var record = Assert.Single(service.Audit.Wait(r => CapturingAuditPipeline.Text(r, "event", "action") == "http-inspection"));
        Assert.Equal("unknown", CapturingAuditPipeline.Text(record, "event", "outcome"));
        Assert.Equal("protocol_violation", CapturingAuditPipeline.Text(record, "envoygovern", "exchange", "end"));
    }

    [Fact]
    public async Task CheckpointService_IntervalPassesWithRecords_WritesCheckpoint()
    {
        var pipeline = new CapturingAuditPipeline();
        var options = new AuditRecordingOptions { Checkpoint = { KeyFile = _kit.KeyFile(), Interval = TimeSpan.FromSeconds(10) } };
        var recorder = _kit.Recorder(pipeline, o => o.Checkpoint.KeyFile = options.Checkpoint.KeyFile);
        using var service = new AuditCheckpointService(recorder, Options.Create(options), _kit.Time, NullLogger<AuditCheckpointService>.Instance);
        await service.StartAsync(CancellationToken.None);
        await AuditTestKit.WriteAsync(recorder, 3);

        _kit.Time.Advance(TimeSpan.FromSeconds(10));
        var checkpoint = pipeline.Wait(r => CapturingAuditPipeline.Text(r, "event", "action") == "audit-checkpoint");
        await AuditTestKit.WriteAsync(recorder, 1);
        await service.StopAsync(CancellationToken.None);

        Assert.Equal("3", CapturingAuditPipeline.Text(Assert.Single(checkpoint), "envoygovern", "audit", "checkpoint", "records"));
        var last = pipeline.Records[^1];
        Assert.Equal("audit-checkpoint", CapturingAuditPipeline.Text(last, "event", "action"));
        Assert.Equal("1", CapturingAuditPipeline.Text(last, "envoygovern", "audit", "checkpoint", "records"));
    }

    public void Dispose() => _kit.Dispose();
}

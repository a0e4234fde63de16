using Envoy.Service.ExtProc.V3;
using EnvoyGovern.ExtProc.Audit;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.ExtProc.Inspection.Bodies;
using EnvoyGovern.Governance.Audit;
using EnvoyGovern.Governance.Decisions;
using EnvoyGovern.Protos.Compat;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.ExtProc.Processing;

/// <summary>
/// Envoy's <c>ExternalProcessor.Process</c>: one bidirectional stream per HTTP exchange. Thin: reads
/// messages into the session's state machine until Envoy half-closes or an immediate response ends the
/// exchange, then completes with OK. Failures are gRPC errors, so Envoy's failure_mode_allow applies.
/// Every stream gets one audit record when it ends; a stream whose record cannot be written ends UNAVAILABLE.
/// </summary>
internal sealed class ExternalProcessorService(
    InspectorChain inspectors,
    ExtProcMetrics metrics,
    ExchangeAudit audit,
    DecisionIds ids,
    IOptionsMonitor<BodyOptions> bodies,
    TimeProvider time,
    ILogger<ExternalProcessorService> logger) : ProcessBinding.ProcessBase
{
    public override async Task Process(IAsyncStreamReader<ProcessingMessage> requestStream, IServerStreamWriter<ProcessingResponse> responseStream, ServerCallContext context)
    {
        var session = new ProcessingSession(inspectors, new InspectionContext(ids.Next(), time.GetUtcNow(), bodies.CurrentValue.MaxDecodedBytes), metrics, new ExchangeFacts(audit.AllowedHeaders));
        var cancellation = context.CancellationToken;
        try
        {
            while (await requestStream.MoveNext(cancellation))
            {
                await session.HandleAsync(requestStream.Current, responseStream, cancellation);
                if (session.Finished)
                {
                    // After an immediate response Envoy stops processing this exchange; close cleanly.
                    ExtProcLog.ImmediateResponse(logger, session.Context.ExchangeId);
                    break;
                }
            }
        }
        catch (ProtocolViolationException ex)
        {
            ExtProcLog.ProtocolViolation(logger, session.Context.ExchangeId, ex.Message);
            await RecordFailureAsync(session, ExchangeEnd.ProtocolViolation);
            throw new RpcException(new Status(ex.InvalidArgument ? StatusCode.InvalidArgument : StatusCode.FailedPrecondition, ex.Message));
        }
        catch (Exception ex) when ((ex is OperationCanceledException && cancellation.IsCancellationRequested) || ex is IOException)
        {
            // Envoy resets the stream when its client goes away or a timeout passes; Kestrel may report that as an
            // IOException before the call's token fires. Either way the exchange gets its record, and an expected
            // reset is not left to the framework to log as an error with a stack trace.
            ExtProcLog.StreamReset(logger, session.Context.ExchangeId);
            await RecordFailureAsync(session, ExchangeEnd.Cancelled);
            throw new RpcException(new Status(StatusCode.Cancelled, "the stream ended before processing finished"));
        }
        catch (DependencyUnavailableException ex)
        {
            ExtProcLog.DependencyUnavailable(logger, session.Context.ExchangeId, ex.Message);
            await RecordFailureAsync(session, ExchangeEnd.DependencyUnavailable);
            throw new RpcException(new Status(StatusCode.Unavailable, $"exchange {session.Context.ExchangeId}: a dependency is unavailable"));
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            ExtProcLog.InternalFailure(logger, session.Context.ExchangeId, ex);
            await RecordFailureAsync(session, ExchangeEnd.InternalError);
            throw new RpcException(new Status(StatusCode.Internal, $"exchange {session.Context.ExchangeId}: internal error"));
        }
        finally
        {
            session.Context.Release();
        }

        try
        {
            var rejected = session.Finished || session.Facts.WasCutShort;
            await audit.RecordAsync(session.Context, session.Facts, rejected ? ExchangeEnd.Rejected : ExchangeEnd.Completed, CancellationToken.None);
        }
        catch (AuditUnavailableException)
        {
            // Logged (3082) and counted by the recorder.
            throw new RpcException(new Status(StatusCode.Unavailable, $"exchange {session.Context.ExchangeId}: the audit record could not be written"));
        }
    }

    // The stream already fails; a record that cannot be written as well changes nothing for Envoy.
    private async Task RecordFailureAsync(ProcessingSession session, ExchangeEnd end)
    {
        try
        {
            await audit.RecordAsync(session.Context, session.Facts, end, CancellationToken.None);
        }
        catch (AuditUnavailableException)
        {
            // Logged and counted by the recorder.
        }
    }
}

using EnvoyGovern.ExtAuthz.Audit;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Audit;
using EnvoyGovern.Governance.Decisions;
using Grpc.Core;

namespace EnvoyGovern.ExtAuthz.Authorization;

/// <summary>
/// Envoy's <c>Authorization.Check</c>. Thin: validates the request, runs the decision pipeline, maps
/// the decision. Every failure becomes a gRPC error, never an OK, so Envoy's fail-closed setting applies.
/// No answer leaves before its audit record is accepted: without the record the answer is UNAVAILABLE.
/// </summary>
internal sealed class AuthorizationService(
    DecisionPipeline pipeline,
    CheckResponseFactory responses,
    IDecisionAudit audit,
    DecisionIds ids,
    AuthorizationMetrics metrics,
    TimeProvider time,
    ILogger<AuthorizationService> logger) : CheckBinding.CheckBase
{
    public override async Task<CheckAnswer> Check(CheckRequestView request, ServerCallContext context)
    {
        var problem = CheckRequestValidator.FindProblem(request);
        if (problem is not null)
        {
            AuthorizationLog.Malformed(logger, problem);
            throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
        }

        var check = new CheckContext(request, ids.Next(), time.GetUtcNow());
        var cancellation = context.CancellationToken;
        Decision decision;
        try
        {
            decision = await pipeline.DecideAsync(check, cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The caller went away or its deadline passed: nobody waits for an answer any more.
            throw new RpcException(new Status(
                context.Deadline <= time.GetUtcNow().UtcDateTime ? StatusCode.DeadlineExceeded : StatusCode.Cancelled,
                "the call ended before a decision was made"));
        }
        catch (DependencyUnavailableException ex)
        {
            AuthorizationLog.DependencyUnavailable(logger, check.DecisionId, ex.Message);
            await RecordFailureAsync(check, "dependency_unavailable");
            throw new RpcException(new Status(StatusCode.Unavailable, $"decision {check.DecisionId}: a dependency is unavailable"));
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            AuthorizationLog.InternalFailure(logger, check.DecisionId, ex);
            await RecordFailureAsync(check, "internal_error");
            throw new RpcException(new Status(StatusCode.Internal, $"decision {check.DecisionId}: internal error"));
        }

        try
        {
            // Not the call's token: a caller that gives up must not take the record of its decision with it.
            await audit.RecordAsync(check, decision, CancellationToken.None);
        }
        catch (AuditUnavailableException)
        {
            // Logged (3082) and counted by the recorder. Envoy's failure_mode_allow decides what the client sees.
            throw new RpcException(new Status(StatusCode.Unavailable, $"decision {check.DecisionId}: the audit record could not be written"));
        }

        metrics.Record(decision);
        if (decision.Outcome == DecisionOutcome.Allow)
        {
            AuthorizationLog.Allowed(logger, check.DecisionId, check.Http.Method, check.Http.Host);
        }
        else
        {
            AuthorizationLog.Denied(logger, check.DecisionId, decision.Reason, decision.DecidedBy, decision.HttpStatus);
        }

        return responses.CreateAnswer(decision, check);
    }

    // The call already fails; a record that cannot be written as well changes nothing for the caller.
    private async Task RecordFailureAsync(CheckContext check, string reason)
    {
        try
        {
            await audit.RecordFailureAsync(check, reason, CancellationToken.None);
        }
        catch (AuditUnavailableException)
        {
            // Logged and counted by the recorder.
        }
    }
}

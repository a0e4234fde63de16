using System.Diagnostics;
using EnvoyGovern.Governance.Hosting;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace EnvoyGovern.Governance.Observability;

/// <summary>Counts every call by its final gRPC status and times it.</summary>
internal sealed class MetricsInterceptor(GrpcMetrics metrics, GovernanceService service) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var start = Stopwatch.GetTimestamp();
        var code = StatusCode.Unknown;
        try
        {
            var response = await continuation(request, context);
            code = context.Status.StatusCode;
            return response;
        }
        catch (Exception ex)
        {
            code = CodeOf(ex, context);
            throw;
        }
        finally
        {
            metrics.Record(service.Name, context.Method, code, Stopwatch.GetElapsedTime(start));
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var start = Stopwatch.GetTimestamp();
        var code = StatusCode.Unknown;
        try
        {
            await continuation(requestStream, responseStream, context);
            code = context.Status.StatusCode;
        }
        catch (Exception ex)
        {
            code = CodeOf(ex, context);
            throw;
        }
        finally
        {
            metrics.Record(service.Name, context.Method, code, Stopwatch.GetElapsedTime(start));
        }
    }

    // What the client will see: an RpcException's code; cancellation by the caller; anything else
    // leaves the handler as UNKNOWN (the services map their own failures before that).
    private static StatusCode CodeOf(Exception exception, ServerCallContext context) => exception switch
    {
        RpcException rpc => rpc.StatusCode,
        OperationCanceledException when context.CancellationToken.IsCancellationRequested => StatusCode.Cancelled,
        _ => StatusCode.Unknown,
    };
}

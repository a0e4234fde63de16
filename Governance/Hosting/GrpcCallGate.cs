using System.Diagnostics;
using EnvoyGovern.Governance.Observability;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EnvoyGovern.Governance.Hosting;

/// <summary>
/// The one middleware of a governance host, after routing: keeps each listener to its own endpoints
/// (<see cref="EndpointIsolation"/>) and counts and times every call of a mapped gRPC method by its final status.
/// </summary>
/// <remarks>
/// In place of a gRPC interceptor: Grpc.AspNetCore runs a registered interceptor through two async wrappers of
/// its own and resolves it from the request's service scope on every call, about 2 µs of a Check's CPU on the
/// load harness (bench/README.md, fourth pass). Here a call that completes synchronously, as a Check does,
/// costs one status lookup and the two metric updates. The status is what the client receives: Grpc.AspNetCore
/// writes <c>grpc-status</c> in the trailers, or in the headers of a trailers-only answer, before the handler's
/// task completes. Only endpoints with <see cref="GrpcMethodMetadata"/> are counted, so an unknown method
/// (answered UNIMPLEMENTED by the framework) never becomes a label value that a client chose.
/// </remarks>
internal sealed class GrpcCallGate(GrpcMetrics metrics, GovernanceService service)
{
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var kind = EndpointIsolation.KindOf(context);
        var admin = EndpointIsolation.IsAdminPath(context.Request.Path);
        if ((kind == EndpointKind.Grpc && admin) || (kind == EndpointKind.Admin && !admin))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        if (context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is not { } grpc)
        {
            return next(context);
        }

        var start = Stopwatch.GetTimestamp();
        Task call;
        try
        {
            call = next(context);
        }
        catch
        {
            Record(context, grpc, start, StatusCode.Unknown);
            throw;
        }

        if (!call.IsCompleted)
        {
            return AwaitAndRecordAsync(call, context, grpc, start);
        }

        Record(context, grpc, start, call.IsCompletedSuccessfully ? null : StatusCode.Unknown);
        return call;
    }

    private async Task AwaitAndRecordAsync(Task call, HttpContext context, GrpcMethodMetadata grpc, long start)
    {
        StatusCode? failed = null;
        try
        {
            await call;
        }
        catch
        {
            failed = StatusCode.Unknown;
            throw;
        }
        finally
        {
            Record(context, grpc, start, failed);
        }
    }

    private void Record(HttpContext context, GrpcMethodMetadata grpc, long start, StatusCode? failed) =>
        metrics.Record(service.Name, grpc.Method.FullName, failed ?? StatusOf(context), Stopwatch.GetElapsedTime(start));

    // Trailers for an answer that carried a message, the headers for a trailers-only answer. A call without either
    // ended without an answer: the client's reset (CANCELLED), or a failure past the framework (UNKNOWN).
    internal static StatusCode StatusOf(HttpContext context)
    {
        var status = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers.GrpcStatus ?? default;
        if (status.Count == 0)
        {
            status = context.Response.Headers.GrpcStatus;
        }

        if (status.Count > 0 && int.TryParse(status[0], out var code))
        {
            return (StatusCode)code;
        }

        return context.RequestAborted.IsCancellationRequested ? StatusCode.Cancelled : StatusCode.Unknown;
    }
}

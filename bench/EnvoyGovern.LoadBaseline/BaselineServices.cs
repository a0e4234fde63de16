using Envoy.Service.Auth.V3;
using Envoy.Service.ExtProc.V3;
using EnvoyGovern.Governance.Hosting;
using Grpc.Core;
using GrpcStatus = Google.Rpc.Status;

namespace EnvoyGovern.LoadBaseline;

/// <summary>The baseline's identity: its default ports sit beside the services' (9001/9002, 9101/9102).</summary>
internal static class BaselineServices
{
    public static GovernanceService Service { get; } = new("Baseline", "envoy.service.auth.v3.Authorization", 9009, 9109);
}

/// <summary>Check answered with one constant OK: what a gRPC server costs before any decision.</summary>
internal sealed class BaselineAuthorization : Authorization.AuthorizationBase
{
    private static readonly Task<CheckResponse> Allowed = Task.FromResult(new CheckResponse
    {
        Status = new GrpcStatus { Code = 0 },
        OkResponse = new OkHttpResponse(),
    });

    public override Task<CheckResponse> Check(CheckRequest request, ServerCallContext context) => Allowed;
}

/// <summary>
/// Process answering every message with the constant "continue" of its kind, until the caller half-closes:
/// what an ext_proc stream costs before any inspection.
/// </summary>
internal sealed class BaselineProcessor : ExternalProcessor.ExternalProcessorBase
{
    private static readonly ProcessingResponse RequestHeaders = new() { RequestHeaders = new HeadersResponse() };
    private static readonly ProcessingResponse ResponseHeaders = new() { ResponseHeaders = new HeadersResponse() };
    private static readonly ProcessingResponse RequestBody = new() { RequestBody = new BodyResponse() };
    private static readonly ProcessingResponse ResponseBody = new() { ResponseBody = new BodyResponse() };
    private static readonly ProcessingResponse RequestTrailers = new() { RequestTrailers = new TrailersResponse() };
    private static readonly ProcessingResponse ResponseTrailers = new() { ResponseTrailers = new TrailersResponse() };

    public override async Task Process(IAsyncStreamReader<ProcessingRequest> requestStream, IServerStreamWriter<ProcessingResponse> responseStream, ServerCallContext context)
    {
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            var answer = requestStream.Current.RequestCase switch
            {
                ProcessingRequest.RequestOneofCase.RequestHeaders => RequestHeaders,
                ProcessingRequest.RequestOneofCase.ResponseHeaders => ResponseHeaders,
                ProcessingRequest.RequestOneofCase.RequestBody => RequestBody,
                ProcessingRequest.RequestOneofCase.ResponseBody => ResponseBody,
                ProcessingRequest.RequestOneofCase.RequestTrailers => RequestTrailers,
                ProcessingRequest.RequestOneofCase.ResponseTrailers => ResponseTrailers,
                _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "empty ProcessingRequest")),
            };
            await responseStream.WriteAsync(answer, context.CancellationToken);
        }
    }
}

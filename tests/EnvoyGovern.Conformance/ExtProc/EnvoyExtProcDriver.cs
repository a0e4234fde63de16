using Envoy.Service.ExtProc.V3;
using EnvoyGovern.Conformance.ExtProc.Driver;
using Grpc.Core;

namespace EnvoyGovern.Conformance.ExtProc;

/// <summary>
/// Drives one HTTP exchange through an ext_proc processor the way Envoy's filter does: request
/// headers, body per mode, trailers, then the same for the response; every answer is judged by
/// <see cref="ExtProcResponseRules"/> and applied as Envoy would apply it.
/// </summary>
/// <remarks>
/// Simplification: the response is processed after the request is complete (the common case);
/// Envoy itself can interleave the two when the upstream answers early.
/// </remarks>
public sealed class EnvoyExtProcDriver
{
    private readonly ExtProcFilterConfig _config;
    private readonly Func<CancellationToken, AsyncDuplexStreamingCall<ProcessingRequest, ProcessingResponse>> _openStream;

    /// <summary>Creates a driver; <paramref name="openStream"/> opens one <c>Process</c> call per exchange.</summary>
    public EnvoyExtProcDriver(
        ExtProcFilterConfig config,
        Func<CancellationToken, AsyncDuplexStreamingCall<ProcessingRequest, ProcessingResponse>> openStream)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(openStream);
        ExtProcConfigValidation.Validate(config);
        _config = config;
        _openStream = openStream;
    }

    /// <summary>Drives <paramref name="exchange"/> and reports what came of it.</summary>
    public async Task<ExtProcOutcome> RunAsync(HttpExchange exchange, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        using var stream = new ProcessorStream(_openStream(cancellationToken));
        var run = new ExtProcRun(_config, stream);
        var request = new DirectionData(Direction.Request, exchange.RequestHeaders, exchange.RequestBody, exchange.RequestTrailers);
        DirectionData? response = null;
        if (await run.RunDirectionAsync(request))
        {
            response = new DirectionData(Direction.Response, exchange.ResponseHeaders, exchange.ResponseBody, exchange.ResponseTrailers);
            if (!await run.RunDirectionAsync(response))
            {
                response = null;
            }
        }
        else
        {
            run.RequestStopped = true;
        }

        await run.FinishAsync();
        return run.Outcome(request, response);
    }
}

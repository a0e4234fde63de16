using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Envoy.Service.ExtProc.V3;
using EnvoyGovern.Conformance.ExtProc;
using EnvoyGovern.Conformance.Tests.Fakes;

namespace EnvoyGovern.Conformance.Tests.ExtProc;

/// <summary>Runs the driver against a scripted in-memory processor.</summary>
internal static class DriverHarness
{
    public static async Task<(ExtProcOutcome Outcome, FakeProcessorCall Processor)> RunAsync(
        ExtProcFilterConfig config, HttpExchange exchange, Func<ProcessingRequest, FakeProcessorCall, IEnumerable<ProcessingResponse>> script)
    {
        var processor = new FakeProcessorCall(script);
        var outcome = await new EnvoyExtProcDriver(config, processor.Open).RunAsync(exchange);
        return (outcome, processor);
    }

    /// <summary>Answers every message with a plain CONTINUE.</summary>
    public static IEnumerable<ProcessingResponse> ContinueAll(ProcessingRequest request, FakeProcessorCall processor)
    {
        _ = processor;
        yield return Answers.Continue(request);
    }

    /// <summary>
    /// Envoy's defaults with a generous message timeout: the 200 ms default is too tight for a test
    /// host under load (JIT, parallel tests). Timeout tests set their own.
    /// </summary>
    public static ExtProcFilterConfig Relaxed { get; } = new() { MessageTimeout = TimeSpan.FromSeconds(5) };

    public static ExtProcFilterConfig Mode(ProcessingMode.Types.BodySendMode request, ProcessingMode.Types.HeaderSendMode trailers = ProcessingMode.Types.HeaderSendMode.Default) => Relaxed with
    {
        ProcessingMode = new ProcessingMode { RequestBodyMode = request, RequestTrailerMode = trailers, ResponseHeaderMode = ProcessingMode.Types.HeaderSendMode.Skip },
    };

    public static HttpExchange WithBody(params string[] chunks) => HttpExchange.Create("POST", "/upload") with
    {
        RequestBody = [.. chunks.Select(c => new ReadOnlyMemory<byte>(System.Text.Encoding.UTF8.GetBytes(c)))],
    };

    public static string Kinds(FakeProcessorCall processor) => string.Join(",", processor.Received.Select(r => r.RequestCase));

    public static string Utf8(ReadOnlyMemory<byte> bytes) => System.Text.Encoding.UTF8.GetString(bytes.Span);
}

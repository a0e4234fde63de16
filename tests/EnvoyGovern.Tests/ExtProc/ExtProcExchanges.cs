using System.Text;
using Envoy.Extensions.Filters.Http.ExtProc.V3;
using EnvoyGovern.Conformance.ExtProc;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.ExtProc;

/// <summary>Shared exchanges and driver set-up for the ext_proc conformance tests.</summary>
internal static class ExtProcExchanges
{
    public static HttpExchange WithBodies(bool trailers) => HttpExchange.Create("POST", "/v1/chat/completions") with
    {
        RequestBody = [Utf8("{\"model\":\"gpt\","), Utf8("\"messages\":[]}")],
        RequestTrailers = trailers ? [new("x-request-checksum", "abc")] : null,
        ResponseBody = [Utf8("{\"id\":1,"), Utf8("\"usage\":{}}")],
        ResponseTrailers = trailers ? [new("grpc-status", "0")] : null,
    };

    public static ExtProcFilterConfig Config(
        ProcessingMode.Types.BodySendMode bodies,
        ProcessingMode.Types.HeaderSendMode headers = ProcessingMode.Types.HeaderSendMode.Send,
        bool trailers = false,
        bool allowModeOverride = false) => new()
        {
            // Generous: the default 200 ms is Envoy's, but a test host under parallel load needs slack. 5 s was not
            // enough once in CI: a first answer came after it, ten seconds into the suite on two busy cores (the late
            // answer then counted as spurious). These tests judge the exchange, not its latency; a service that never
            // answers still fails them.
            MessageTimeout = TimeSpan.FromSeconds(30),
            AllowModeOverride = allowModeOverride,
            ProcessingMode = new ProcessingMode
            {
                RequestHeaderMode = headers,
                ResponseHeaderMode = headers,
                RequestBodyMode = bodies,
                ResponseBodyMode = bodies,
                RequestTrailerMode = trailers ? ProcessingMode.Types.HeaderSendMode.Send : ProcessingMode.Types.HeaderSendMode.Skip,
                ResponseTrailerMode = trailers ? ProcessingMode.Types.HeaderSendMode.Send : ProcessingMode.Types.HeaderSendMode.Skip,
            },
        };

    public static Task<ExtProcOutcome> RunAsync(RunningService service, ExtProcFilterConfig config, HttpExchange exchange)
    {
        var client = new Envoy.Service.ExtProc.V3.ExternalProcessor.ExternalProcessorClient(service.Channel);
        return new EnvoyExtProcDriver(config, ct => client.Process(cancellationToken: ct)).RunAsync(exchange);
    }

    /// <summary>No violation of Envoy's rules; the message lists them when there are.</summary>
    public static void AssertConforms(ExtProcOutcome outcome) =>
        Xunit.Assert.True(outcome.Violations.Count == 0, string.Join("\n", outcome.Violations));

    public static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    private static ReadOnlyMemory<byte> Utf8(string s) => Encoding.UTF8.GetBytes(s);
}

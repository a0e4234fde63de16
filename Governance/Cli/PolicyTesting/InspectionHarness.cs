using System.Globalization;
using System.Text;
using Envoy.Config.Core.V3;
using EnvoyGovern.ExtProc;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.Governance.Decisions;
using EnvoyGovern.Governance.Policy.Loading;
using EnvoyGovern.Governance.Policy.Runtime;
using Google.Protobuf;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.Cli.PolicyTesting;

/// <summary>What an ExtProc test saw: the decision (an immediate response is a deny), the bodies as forwarded, the findings.</summary>
internal sealed record InspectionOutcome(ObservedDecision Decision, string? RequestBody, string? ResponseBody, IReadOnlyList<string> Findings);

/// <summary>
/// The policy of a directory compiled as the ExtProc service compiles it, and the service's inspectors
/// (WAF, content gate, prompt injection, personal data) run over one exchange as Envoy's ext_proc filter
/// sends it with BUFFERED bodies: request headers, the whole request body, then the upstream's response.
/// </summary>
internal sealed class InspectionHarness : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly InspectorChain _chain;
    private readonly DecisionIds _ids;

    private InspectionHarness(ServiceProvider services, TestClock clock)
    {
        _services = services;
        _chain = new InspectorChain(services.GetServices<IInspector>());
        _ids = new DecisionIds(clock);
    }

    /// <summary>Loads and compiles <paramref name="directory"/> for ExtProc; null with every error when it is invalid.</summary>
    public static InspectionHarness? Load(string directory, TestClock clock, out IReadOnlyList<PolicyError> errors)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        ExtProcApp.AddPolicyCompilers(services);
        services.AddSingleton<PolicyStore>();
        // A test judges the policy, not this machine's speed: the WAF's time budget (150 ms in the
        // service, inside Envoy's message timeout) must not turn a cold first run into a block.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Waf:EvaluationTimeout", "00:00:30")]).Build();
        ExtProcApp.AddContentInspectors(services, configuration);
        var provider = services.BuildServiceProvider();
        if (provider.GetRequiredService<PolicyStore>().Apply(PolicyLoader.LoadDirectory(directory), out errors) != PolicyApplyOutcome.Applied)
        {
            provider.Dispose();
            return null;
        }

        return new InspectionHarness(provider, clock);
    }

    public async Task<InspectionOutcome> RunAsync(TestRequest request, TestResponse? response, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var context = new InspectionContext(_ids.Next(), now);
        List<KeyValuePair<string, string>> headers =
        [
            new(":method", request.Method), new(":path", request.Path), new(":authority", request.Host), new(":scheme", request.Scheme),
            .. request.Headers,
        ];
        var body = request.Body is null ? null : Encoding.UTF8.GetBytes(request.Body);
        var sent = await DirectionAsync(context, HttpDirection.Request, headers, body, cancellationToken);
        if (sent.Reply is { } requestReply)
        {
            return Outcome(context, Denied(requestReply, context), null, null);
        }

        if (response is null)
        {
            return Outcome(context, Allowed(sent.Headers), sent.Body, null);
        }

        List<KeyValuePair<string, string>> responseHeaders = [new(":status", response.Status.ToString(CultureInfo.InvariantCulture)), .. response.Headers];
        var answered = await DirectionAsync(context, HttpDirection.Response, responseHeaders, response.Body is null ? null : Encoding.UTF8.GetBytes(response.Body), cancellationToken);
        return answered.Reply is { } responseReply
            ? Outcome(context, Denied(responseReply, context), sent.Body, null)
            : Outcome(context, Allowed(sent.Headers), sent.Body, answered.Body);
    }

    public void Dispose() => _services.Dispose();

    private async Task<(ImmediateReply? Reply, List<KeyValuePair<string, string>> Headers, string? Body)> DirectionAsync(
        InspectionContext context, HttpDirection direction, List<KeyValuePair<string, string>> headers, byte[]? payload, CancellationToken cancellationToken)
    {
        if (payload is not null && !headers.Exists(h => h.Key == "content-length"))
        {
            headers.Add(new("content-length", payload.Length.ToString(CultureInfo.InvariantCulture)));
        }

        var map = new HeaderMap();
        map.Headers.AddRange(headers.Select(h => new HeaderValue { Key = h.Key, RawValue = ByteString.CopyFromUtf8(h.Value) }));
        var body = context.Body(direction);
        body.ObserveHeaders(map, endOfStream: payload is null);
        body.Mode = BodySendMode.Buffered;
        var verdict = await _chain.OnHeadersAsync(context, direction, map, payload is null, cancellationToken);
        if (verdict.Reject is { } reply)
        {
            return (reply, headers, null);
        }

        Apply(headers, verdict);
        if (payload is null)
        {
            return (null, headers, null);
        }

        body.ObserveMessage(payload.Length, endOfStream: true);
        verdict = await _chain.OnBodyAsync(context, direction, payload, endOfBody: true, cancellationToken);
        if (verdict.Reject is { } bodyReply)
        {
            return (bodyReply, headers, null);
        }

        Apply(headers, verdict);
        return (null, headers, Encoding.UTF8.GetString((verdict.ReplaceBody ?? payload).Span));
    }

    private static void Apply(List<KeyValuePair<string, string>> headers, InspectionVerdict verdict)
    {
        foreach (var name in verdict.RemoveHeaders)
        {
            headers.RemoveAll(h => h.Key == name);
        }

        foreach (var (name, value) in verdict.SetHeaders)
        {
            headers.RemoveAll(h => h.Key == name);
            headers.Add(new(name, value));
        }
    }

    private static ObservedDecision Allowed(List<KeyValuePair<string, string>> upstream) => new("allow", 200, "allowed", upstream);

    private static ObservedDecision Denied(ImmediateReply reply, InspectionContext context) =>
        new("deny", reply.HttpStatus, reply.Reason, [.. reply.Headers, new("x-governance-exchange-id", context.ExchangeId)]);

    private static InspectionOutcome Outcome(InspectionContext context, ObservedDecision decision, string? request, string? response)
    {
        context.Release();
        return new InspectionOutcome(decision, request, response, [.. context.Findings.Select(f => f.RuleId)]);
    }
}

using System.Diagnostics;
using Envoy.Config.Core.V3;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.ExtProc.Waf.Engine;
using EnvoyGovern.ExtProc.Waf.Rules;
using EnvoyGovern.Governance.Policy.Model;
using EnvoyGovern.Governance.Policy.Runtime;
using Microsoft.Extensions.Options;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.ExtProc.Waf.Inspection;

/// <summary>
/// The WAF as an ext_proc inspector: request phases 1 and 2 on request headers and the buffered body,
/// phases 3 and 4 on the response when the policy asks for it. Mode and paranoia level come from the
/// policy document governing the host; with none (or mode off) the exchange passes untouched and costs
/// nothing. A block is a 403 immediate response whose body carries the audit id.
/// </summary>
internal sealed class WafInspector(
    WafRuleSetProvider rules,
    IOptionsMonitor<WafOptions> options,
    WafMetrics metrics,
    ILogger<WafInspector> logger,
    PolicyStore? policy = null) : IInspector
{
    // Paranoia levels as the CRS reads them (1-4), one string each instead of one per exchange.
    private static readonly string[] LevelTexts = ["0", "1", "2", "3", "4"];

    [ThreadStatic]
    private static List<KeyValuePair<string, string>>? t_headers;

    public string Name => WafFindings.InspectorName;

    public ValueTask<InspectionVerdict> OnHeadersAsync(InspectionContext context, HttpDirection direction, HeaderMap headers, bool endOfStream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(headers);
        return ValueTask.FromResult(direction == HttpDirection.Request
            ? OnRequestHeaders(context, headers, endOfStream)
            : OnResponseHeaders(context, headers, endOfStream));
    }

    public ValueTask<InspectionVerdict> OnBodyAsync(InspectionContext context, HttpDirection direction, ReadOnlyMemory<byte> chunk, bool endOfBody, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (State(context) is not { } state)
        {
            return ValueTask.FromResult(InspectionVerdict.Continue);
        }

        if (direction == HttpDirection.Request)
        {
            state.Transaction.AppendRequestBody(chunk.Span);
            return ValueTask.FromResult(endOfBody ? FinishRequest(context, state) : InspectionVerdict.Continue);
        }

        if (!state.Settings.InspectResponses)
        {
            return ValueTask.FromResult(InspectionVerdict.Continue);
        }

        state.Transaction.AppendResponseBody(chunk.Span);
        return ValueTask.FromResult(endOfBody ? FinishResponse(context, state) : InspectionVerdict.Continue);
    }

    public ValueTask<InspectionVerdict> OnTrailersAsync(InspectionContext context, HttpDirection direction, HeaderMap trailers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (State(context) is not { } state)
        {
            return ValueTask.FromResult(InspectionVerdict.Continue);
        }

        // Trailers end the body even when no chunk said so.
        if (direction == HttpDirection.Request)
        {
            return ValueTask.FromResult(state.RequestDone ? InspectionVerdict.Continue : FinishRequest(context, state));
        }

        return ValueTask.FromResult(state.Settings.InspectResponses && !state.ResponseDone ? FinishResponse(context, state) : InspectionVerdict.Continue);
    }

    private InspectionVerdict OnRequestHeaders(InspectionContext context, HeaderMap headers, bool endOfStream)
    {
        var waf = policy?.Current?.Get<WafPolicy>();
        if (waf is null || waf == WafPolicy.None)
        {
            return InspectionVerdict.Continue;
        }

        var decoded = context.Decoded(headers);
        var (authority, path) = (decoded.Authority ?? string.Empty, decoded.Path ?? "/");
        if (waf.Select(authority, path) is not { Mode: not WafMode.Off } settings)
        {
            return InspectionVerdict.Continue;
        }

        var ruleSet = rules.Current;
        var transaction = new WafTransaction(ruleSet, context.ExchangeId, settings.Mode == WafMode.Blocking ? RuleEngineMode.On : RuleEngineMode.DetectionOnly);
        transaction.SetTimeLimit(options.CurrentValue.EvaluationTimeout);
        Seed(transaction, settings);
        var state = new ExchangeState(transaction, settings);
        context.SetSlot(ExchangeSlot.Waf, state);

        // The header list only carries the values into the transaction's collections, synchronously on this thread: one
        // list per thread serves every exchange, emptied after use so it holds no request's values.
        var requestHeaders = t_headers ??= new List<KeyValuePair<string, string>>(32);
        try
        {
            var line = EnvoyExchange.Request(headers, context.ForwardedAttributes, decoded, requestHeaders);
            var start = Stopwatch.GetTimestamp();
            transaction.ProcessRequestHeaders(line, requestHeaders);
            metrics.PhaseDuration(1, Stopwatch.GetElapsedTime(start));
        }
        finally
        {
            requestHeaders.Clear();
            if (requestHeaders.Capacity > 256)
            {
                t_headers = null;
            }
        }

        if (transaction.Interruption is not null || transaction.LimitExceeded is not null || endOfStream)
        {
            return FinishRequest(context, state);
        }

        return transaction.RequestBodyAccess ? new InspectionVerdict { BodyMode = BodySendMode.Buffered } : InspectionVerdict.Continue;
    }

    private InspectionVerdict OnResponseHeaders(InspectionContext context, HeaderMap headers, bool endOfStream)
    {
        if (State(context) is not { Settings.InspectResponses: true } state || state.Blocked)
        {
            return InspectionVerdict.Continue;
        }

        var (status, responseHeaders) = EnvoyExchange.Response(headers);
        var start = Stopwatch.GetTimestamp();
        state.Transaction.ProcessResponseHeaders(status, "HTTP/1.1", responseHeaders);
        metrics.PhaseDuration(3, Stopwatch.GetElapsedTime(start));
        if (endOfStream || state.Transaction.Interruption is not null || !state.Transaction.WantsResponseBody())
        {
            return FinishResponse(context, state);
        }

        return new InspectionVerdict { BodyMode = BodySendMode.Buffered };
    }

    private InspectionVerdict FinishRequest(InspectionContext context, ExchangeState state)
    {
        state.RequestDone = true;
        var transaction = state.Transaction;
        if (transaction.Interruption is null && transaction.LimitExceeded is null)
        {
            var start = Stopwatch.GetTimestamp();
            transaction.ProcessRequestBody();
            metrics.PhaseDuration(2, Stopwatch.GetElapsedTime(start));
        }

        var verdict = Decide(context, state, HttpDirection.Request);
        metrics.Evaluated(state.Settings.Mode == WafMode.Blocking ? "blocking" : "detection_only", Outcome(state));
        return verdict;
    }

    private InspectionVerdict FinishResponse(InspectionContext context, ExchangeState state)
    {
        state.ResponseDone = true;
        var start = Stopwatch.GetTimestamp();
        state.Transaction.ProcessResponseBody();
        metrics.PhaseDuration(4, Stopwatch.GetElapsedTime(start));
        state.Transaction.ProcessLogging();
        return Decide(context, state, HttpDirection.Response);
    }

    private InspectionVerdict Decide(InspectionContext context, ExchangeState state, HttpDirection direction)
    {
        var transaction = state.Transaction;
        var blocking = state.Settings.Mode == WafMode.Blocking;
        var matches = transaction.Matches;
        for (; state.Reported < matches.Count; state.Reported++)
        {
            var match = matches[state.Reported];
            if (match.Logged || match.Disruptive)
            {
                context.AddFinding(WafFindings.From(match, direction, blocking && match.Disruptive));
            }
        }

        if (transaction.Interruption is { } interruption)
        {
            state.Blocked = true;
            WafLog.Blocked(logger, context.ExchangeId, interruption.Reason, interruption.Status);
            return Reject(context, interruption.Status, "waf_blocked");
        }

        if (transaction.LimitExceeded is { } limit && !state.LimitReported)
        {
            state.LimitReported = true;
            WafLog.LimitExceeded(logger, context.ExchangeId, limit);
            context.AddFinding(WafFindings.Limit(limit, direction, blocking));
            if (blocking)
            {
                state.Blocked = true;
                return Reject(context, 403, "waf_limit");
            }
        }

        return InspectionVerdict.Continue;
    }

    private static InspectionVerdict Reject(InspectionContext context, int status, string reason)
    {
        var body = $$"""{"error":"request blocked by the web application firewall","reason":"{{reason}}","auditId":"{{context.ExchangeId}}"}""";
        return new InspectionVerdict
        {
            Reject = new ImmediateReply(status, reason, body) { Headers = [new("content-type", "application/json")] },
        };
    }

    private static string Outcome(ExchangeState state) =>
        state.Blocked ? "blocked" : state.LimitReported ? "limit" : AnyLogged(state.Transaction.Matches) ? "detected" : "pass";

    // A loop, not Any: the interface's enumerator was an allocation per exchange.
    private static bool AnyLogged(IReadOnlyList<RuleMatch> matches)
    {
        for (var i = 0; i < matches.Count; i++)
        {
            if (matches[i].Logged)
            {
                return true;
            }
        }

        return false;
    }

    // The policy's paranoia level and thresholds as the CRS reads them; 901 keeps values that are set.
    private static void Seed(WafTransaction transaction, WafSettings settings)
    {
        var level = (uint)settings.ParanoiaLevel < (uint)LevelTexts.Length
            ? LevelTexts[settings.ParanoiaLevel]
            : settings.ParanoiaLevel.ToString(System.Globalization.CultureInfo.InvariantCulture);
        transaction.SetVariable(Variable.Tx, "blocking_paranoia_level", level);
        transaction.SetVariable(Variable.Tx, "detection_paranoia_level", level);
        if (settings.InboundThreshold is { } inbound)
        {
            transaction.SetVariable(Variable.Tx, "inbound_anomaly_score_threshold", inbound.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (settings.OutboundThreshold is { } outbound)
        {
            transaction.SetVariable(Variable.Tx, "outbound_anomaly_score_threshold", outbound.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var id in settings.DisabledRules)
        {
            transaction.RemoveRules(new RuleIdRange(id, id));
        }
    }

    private static ExchangeState? State(InspectionContext context) =>
        context.Slot(ExchangeSlot.Waf) as ExchangeState;

    // Disposed when the exchange ends (InspectionContext.Release): the transaction's collections go back to the pool.
    private sealed class ExchangeState(WafTransaction transaction, WafSettings settings) : IDisposable
    {
        public WafTransaction Transaction { get; } = transaction;

        public WafSettings Settings { get; } = settings;

        public int Reported { get; set; }

        public bool RequestDone { get; set; }

        public bool ResponseDone { get; set; }

        public bool Blocked { get; set; }

        public bool LimitReported { get; set; }

        public void Dispose() => Transaction.Release();
    }
}

using System.Globalization;
using System.Text;
using Envoy.Config.Core.V3;
using EnvoyGovern.ExtProc.Content;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.ExtProc.Inspection.Bodies;
using EnvoyGovern.Governance.Policy.Model;
using EnvoyGovern.Governance.TokenBudgets;
using Google.Protobuf.WellKnownTypes;

namespace EnvoyGovern.ExtProc.GenAi;

/// <summary>
/// Model governance of OpenAI-compatible requests: the tenant (ExtAuthz's <c>x-governance-tenant</c>) may
/// call only its models, with at most its token cap (a larger request is refused or gets the cap written
/// in; one without a cap gets it added). From the answer it reads token usage (JSON <c>usage</c>, or the
/// last events of a stream) into the audit record and Envoy's dynamic metadata, and counts it against
/// the tenant's token budgets, which ExtAuthz enforces on the next request.
/// </summary>
internal sealed class GenAiInspector(ITokenBudgetStore budgets, TimeProvider time) : IInspector
{
    public const string InspectorName = "genai";

    /// <summary>The dynamic metadata namespace (list it in the filter's <c>metadata_options.receiving_namespaces.untyped</c>).</summary>
    public const string MetadataNamespace = "envoygovern.genai";


    public string Name => InspectorName;

    public ValueTask<InspectionVerdict> OnHeadersAsync(InspectionContext context, HttpDirection direction, HeaderMap headers, bool endOfStream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(headers);
        if (ContentExchange.Of(context) is not { Settings.ReadsUsage: true } exchange)
        {
            return ValueTask.FromResult(InspectionVerdict.Continue);
        }

        if (direction == HttpDirection.Request)
        {
            context.SetSlot(ExchangeSlot.GenAi, new State(exchange.Settings, context.Decoded(headers).Find("x-governance-tenant"), context.Decoded(headers).Find(":path") ?? "/"));
        }
        else if (context.Slot(ExchangeSlot.GenAi) is State state && context.Response.Kind == BodyKind.EventStream)
        {
            state.Stream = new StreamedUsage();
        }

        // The request is read only to govern models; answers are read for usage (models or budgets).
        if (!exchange.Admitted(direction) || (direction == HttpDirection.Request && exchange.Settings.Models is null))
        {
            return ValueTask.FromResult(InspectionVerdict.Continue);
        }

        var mode = exchange.Require(context, direction, mayChange: direction == HttpDirection.Request);
        return ValueTask.FromResult(mode is null ? InspectionVerdict.Continue : new InspectionVerdict { BodyMode = mode });
    }

    public async ValueTask<InspectionVerdict> OnBodyAsync(InspectionContext context, HttpDirection direction, ReadOnlyMemory<byte> chunk, bool endOfBody, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Slot(ExchangeSlot.GenAi) is not State state || ContentExchange.Of(context) is not { } exchange || !exchange.Admitted(direction))
        {
            return InspectionVerdict.Continue;
        }

        if (direction == HttpDirection.Request)
        {
            return endOfBody && state.Settings.Models is { } models ? Govern(context, state, models, chunk) : InspectionVerdict.Continue;
        }

        state.ResponseBytes += chunk.Length;
        var verdict = InspectionVerdict.Continue;
        if (state.Stream is { } stream ? stream.Push(chunk.Span, endOfBody) : endOfBody)
        {
            var usage = state.Stream?.Current ?? Usage.FromJson(chunk.Span);
            if (usage is not null)
            {
                verdict = Used(context, state, usage);
                if (usage.HasTokens)
                {
                    await CountAsync(state, usage.InputTokens, usage.OutputTokens, cancellationToken);
                }
            }
        }

        if (endOfBody && !state.Counted)
        {
            await EstimateAsync(context, state, cancellationToken);
        }

        return verdict;
    }

    public ValueTask<InspectionVerdict> OnTrailersAsync(InspectionContext context, HttpDirection direction, HeaderMap trailers, CancellationToken cancellationToken) =>
        ValueTask.FromResult(InspectionVerdict.Continue);

    // The tokens count against every budget of the tenant's document, once per exchange. A store that
    // cannot count fails the exchange (fail closed): an uncounted answer would be a free one.
    private async ValueTask CountAsync(State state, long? input, long? output, CancellationToken cancellationToken)
    {
        if (state.Counted || state.Tenant is not { } tenant)
        {
            return;
        }

        state.Counted = true;
        var now = time.GetUtcNow();
        foreach (var budget in state.Settings.TokenBudgets)
        {
            var tokens = budget.Counted(input, output);
            if (tokens > 0)
            {
                await budgets.AddAsync(budget.Key(tenant, now), tokens, budget.UntilWindowEnds(now) + TimeSpan.FromMinutes(1), cancellationToken);
            }
        }
    }

    // An answer that says nothing of its usage (a stream without include_usage, an upstream that does
    // not report it) still counts: a quarter of a token per byte of request and answer, noted as estimated.
    private async ValueTask EstimateAsync(InspectionContext context, State state, CancellationToken cancellationToken)
    {
        if (state.Tenant is null || state.Settings.TokenBudgets.Count == 0)
        {
            return;
        }

        var input = (Math.Max(context.Request.ReceivedBytes, context.Request.DeclaredLength ?? 0) + 3) / 4;
        var output = (state.ResponseBytes + 3) / 4;
        context.AddFinding(new Finding
        {
            Inspector = InspectorName,
            RuleId = "genai.usage_estimated",
            Message = "the answer reported no token usage; budgets count an estimate from the body sizes",
            Category = "genai",
            Direction = HttpDirection.Response,
            Data = string.Create(CultureInfo.InvariantCulture, $"input={input} output={output}"),
        });
        await CountAsync(state, input, output, cancellationToken);
    }

    private static InspectionVerdict Govern(InspectionContext context, State state, ModelSettings models, ReadOnlyMemory<byte> body)
    {
        var request = context.Request.Kind == BodyKind.Json ? ChatRequest.Of(context, body.Span) : null;
        context.GenAi.Operation = Operation(state.Path);
        context.GenAi.RequestModel = request?.Model;
        if (request?.Model is not { } model)
        {
            return Refuse(context, 400, "model_required", "genai.model_required", "the request names no model (a JSON body with a model member)");
        }

        if (models.For(state.Tenant) is not { } entry)
        {
            return Refuse(context, 403, "model_not_allowed", "genai.model_denied", $"tenant {state.Tenant ?? "(none)"} may call no model here");
        }

        if (!entry.Allows(model))
        {
            return Refuse(context, 403, "model_not_allowed", "genai.model_denied", $"tenant {state.Tenant ?? "(none)"} may not call model {model}");
        }

        ReadOnlyMemory<byte>? replacement = null;
        context.GenAi.MaxTokens = request.MaxTokens;
        if (entry.MaxTokens is { } cap)
        {
            if (request.MaxTokens > cap)
            {
                if (models.OverCap == TokenCapAction.Deny)
                {
                    return Refuse(context, 403, "max_tokens_over_cap", "genai.max_tokens_denied", $"{request.MaxTokensField} {request.MaxTokens} is over the tenant's cap of {cap}");
                }

                replacement = Rewrite(body.Span, request.MaxTokensToken!.Value, cap);
                Note(context, "genai.max_tokens_rewritten", $"{request.MaxTokensField} {request.MaxTokens} lowered to the tenant's cap of {cap}");
                context.GenAi.MaxTokens = cap;
            }
            else if (request.MaxTokens is null && CapField(state.Path) is { } field)
            {
                replacement = Insert(body.Span, field, cap);
                Note(context, "genai.max_tokens_added", $"{field} {cap} (the tenant's cap) added to a request without one");
                context.GenAi.MaxTokens = cap;
            }
        }

        return new InspectionVerdict
        {
            ReplaceBody = replacement,
            DynamicMetadata = Metadata(state, ("model", Value.ForString(model)), ("max_tokens", context.GenAi.MaxTokens is { } max ? Value.ForNumber(max) : null)),
        };
    }

    private static InspectionVerdict Used(InspectionContext context, State state, Usage usage)
    {
        context.InputTokens = Clamp(usage.InputTokens) ?? context.InputTokens;
        context.OutputTokens = Clamp(usage.OutputTokens) ?? context.OutputTokens;
        context.GenAi.ResponseModel ??= usage.Model;
        context.GenAi.ResponseId ??= usage.Id;
        if (!usage.HasTokens)
        {
            return InspectionVerdict.Continue;
        }

        return new InspectionVerdict
        {
            DynamicMetadata = Metadata(
                state,
                ("input_tokens", usage.InputTokens is { } input ? Value.ForNumber(input) : null),
                ("output_tokens", usage.OutputTokens is { } output ? Value.ForNumber(output) : null),
                ("response_model", usage.Model is { } model ? Value.ForString(model) : null)),
        };
    }

    private static Struct Metadata(State state, params (string Name, Value? Value)[] fields)
    {
        var values = new Struct();
        if (state.Tenant is { } tenant)
        {
            values.Fields["tenant"] = Value.ForString(tenant);
        }

        foreach (var (name, value) in fields)
        {
            if (value is not null)
            {
                values.Fields[name] = value;
            }
        }

        var metadata = new Struct();
        metadata.Fields[MetadataNamespace] = Value.ForStruct(values);
        return metadata;
    }

    // The number token replaced by the cap: everything else stays as written.
    private static byte[] Rewrite(ReadOnlySpan<byte> body, (int Start, int Length) token, long cap) =>
        [.. body[..token.Start], .. Encoding.ASCII.GetBytes(cap.ToString(CultureInfo.InvariantCulture)), .. body[(token.Start + token.Length)..]];

    // The cap added as the first member of the root object (validated JSON, so '{' comes first after whitespace).
    private static byte[] Insert(ReadOnlySpan<byte> body, string field, long cap)
    {
        var brace = body.IndexOf((byte)'{') + 1;
        var empty = body[brace..].TrimStart(" \t\r\n"u8).StartsWith("}"u8);
        var member = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"\"{field}\":{cap}{(empty ? string.Empty : ",")}"));
        return [.. body[..brace], .. member, .. body[brace..]];
    }

    private static string? CapField(string path) => Operation(path) switch
    {
        "chat" when HostlessPath(path).EndsWith("/responses", StringComparison.Ordinal) => "max_output_tokens",
        "chat" => "max_completion_tokens",
        "text_completion" => "max_tokens",
        _ => null,
    };

    private static string? Operation(string path)
    {
        var only = HostlessPath(path);
        if (only.EndsWith("/chat/completions", StringComparison.Ordinal) || only.EndsWith("/responses", StringComparison.Ordinal))
        {
            return "chat";
        }

        if (only.EndsWith("/completions", StringComparison.Ordinal))
        {
            return "text_completion";
        }

        return only.EndsWith("/embeddings", StringComparison.Ordinal) ? "embeddings" : null;
    }

    private static string HostlessPath(string path) => Governance.Policy.HostSections.PathOnly(path).TrimEnd('/');

    private static int? Clamp(long? tokens) => tokens is { } t ? (int)Math.Clamp(t, 0, int.MaxValue) : null;

    private static void Note(InspectionContext context, string rule, string message) =>
        context.AddFinding(ContentReplies.BodyFinding(InspectorName, "genai", rule, message, blocking: false));

    private static InspectionVerdict Refuse(InspectionContext context, int status, string reason, string rule, string message) =>
        ContentReplies.RefuseRequest(context, InspectorName, "genai", status, reason, rule, message);

    private sealed class State(ContentSettings settings, string? tenant, string path)
    {
        public ContentSettings Settings { get; } = settings;

        public string? Tenant { get; } = tenant;

        public string Path { get; } = path;

        public StreamedUsage? Stream { get; set; }

        /// <summary>Decoded answer bytes seen, for an estimate when the answer reports no usage.</summary>
        public long ResponseBytes { get; set; }

        /// <summary>True once the exchange's tokens were counted against the budgets.</summary>
        public bool Counted { get; set; }
    }
}

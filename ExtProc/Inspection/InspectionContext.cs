using Envoy.Config.Core.V3;
using EnvoyGovern.ExtProc.Inspection.Bodies;
using EnvoyGovern.Protos.Compat;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;

namespace EnvoyGovern.ExtProc.Inspection;

/// <summary>State of one ext_proc stream (one HTTP exchange) that inspectors may read and annotate.</summary>
public sealed class InspectionContext
{
    private Dictionary<string, object>? _items;
    private List<Finding>? _findings;
    private MapField<string, Struct>? _attributes;
    private DecodedHeaders? _decoded;
    private readonly long _bodyLimit;
    private BodyInfo? _response;
    private GenAiFacts? _genAi;
    private object?[]? _slots;
    private const int SlotCount = (int)ExchangeSlot.Canary + 1;

    internal InspectionContext(string exchangeId, DateTimeOffset startedAt, long bodyLimit = BodyOptions.DefaultMaxDecodedBytes)
    {
        ExchangeId = exchangeId;
        StartedAt = startedAt;
        _bodyLimit = bodyLimit;
        Request = new BodyInfo(HttpDirection.Request, bodyLimit);
    }

    /// <summary>The request body: what its headers announce and what inspectors asked for it.</summary>
    public BodyInfo Request { get; }

    /// <summary>The response body.</summary>
    public BodyInfo Response => _response ??= new BodyInfo(HttpDirection.Response, _bodyLimit);

    /// <summary>The body of <paramref name="direction"/>.</summary>
    public BodyInfo Body(HttpDirection direction) => direction == HttpDirection.Request ? Request : Response;

    /// <summary>Unique id of this exchange, for the audit record.</summary>
    public string ExchangeId { get; }

    /// <summary>When the stream opened.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Envoy's <c>protocol_config</c> (Envoy 1.32 and later), if it sent one.</summary>
    public ProtocolConfiguration? ProtocolConfig { get; internal set; }

    /// <summary>Attributes Envoy forwarded (<c>request_attributes</c>/<c>response_attributes</c>), merged over the stream.</summary>
    public MapField<string, Struct> Attributes => _attributes ??= [];

    /// <summary>The attributes when Envoy forwarded any, else null (a map per stream that carries none is not made).</summary>
    internal MapField<string, Struct>? ForwardedAttributes => _attributes;

    /// <summary>
    /// The values of <paramref name="headers"/> (the request headers) as text, each decoded once for every reader of the
    /// exchange.
    /// </summary>
    internal DecodedHeaders Decoded(HeaderMap headers)
    {
        var decoded = _decoded;
        if (decoded is null || !ReferenceEquals(decoded.Headers, headers))
        {
            _decoded = decoded = new DecodedHeaders(headers);
        }

        return decoded;
    }

    /// <summary>What inspectors detected so far in this exchange, in order; read by the audit record.</summary>
    public IReadOnlyList<Finding> Findings => (IReadOnlyList<Finding>?)_findings ?? [];

    /// <summary>Records a finding for the audit record. Safe to call from one inspector at a time (a stream is sequential).</summary>
    public void AddFinding(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        (_findings ??= []).Add(finding);
    }

    /// <summary>Prompt tokens of a model request, when an inspector counted or read them (audit <c>gen_ai.usage.input_tokens</c>).</summary>
    public int? InputTokens { get; set; }

    /// <summary>Completion tokens of a model response, when an inspector counted or read them (audit <c>gen_ai.usage.output_tokens</c>).</summary>
    public int? OutputTokens { get; set; }

    /// <summary>
    /// Releases what the exchange held once it ended: the body decoders and encoders (native compression state), and
    /// the inspectors' per-exchange state (slots and <see cref="Items"/>) that is <see cref="IDisposable"/> (pooled buffers).
    /// </summary>
    internal void Release()
    {
        Request.Pipeline?.Dispose();
        _response?.Pipeline?.Dispose();
        if (_slots is not null)
        {
            foreach (var slot in _slots)
            {
                (slot as IDisposable)?.Dispose();
            }
        }

        if (_items is null)
        {
            return;
        }

        // The dictionary's own enumerator: its Values view would be an allocation per exchange.
        foreach (var (_, item) in _items)
        {
            (item as IDisposable)?.Dispose();
        }
    }

    /// <summary>What model governance read from the request and its answer (audit <c>gen_ai.*</c>).</summary>
    public GenAiFacts GenAi => _genAi ??= new();

    /// <summary>The model call's facts if an inspector recorded any, else null (an exchange without one makes none).</summary>
    internal GenAiFacts? RecordedGenAi => _genAi;

    /// <summary>A built-in inspector's state for this exchange, or null.</summary>
    internal object? Slot(ExchangeSlot slot) => _slots?[(int)slot];

    /// <summary>Sets (or with null clears) a built-in inspector's state; what is <see cref="IDisposable"/> is disposed when the exchange ends.</summary>
    internal void SetSlot(ExchangeSlot slot, object? value) => (_slots ??= new object?[SlotCount])[(int)slot] = value;

    /// <summary>
    /// Per-exchange state that inspectors share (for example an inspector's body buffer); what is
    /// <see cref="IDisposable"/> is disposed when the exchange ends.
    /// </summary>
    public IDictionary<string, object> Items => _items ??= new Dictionary<string, object>(StringComparer.Ordinal);
}

/// <summary>The model call of an exchange as governance read it, for the audit record's <c>gen_ai.*</c> fields.</summary>
public sealed class GenAiFacts
{
    /// <summary>The request body's <c>model</c> (<c>gen_ai.request.model</c> when ExtAuthz named none).</summary>
    public string? RequestModel { get; set; }

    /// <summary>The token cap the upstream received (<c>gen_ai.request.max_tokens</c>).</summary>
    public long? MaxTokens { get; set; }

    /// <summary><c>chat</c>, <c>text_completion</c>, <c>embeddings</c> (<c>gen_ai.operation.name</c>).</summary>
    public string? Operation { get; set; }

    /// <summary>The answer's <c>model</c> (<c>gen_ai.response.model</c>).</summary>
    public string? ResponseModel { get; set; }

    /// <summary>The answer's <c>id</c> (<c>gen_ai.response.id</c>).</summary>
    public string? ResponseId { get; set; }
}

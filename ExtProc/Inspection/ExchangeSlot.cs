namespace EnvoyGovern.ExtProc.Inspection;

/// <summary>
/// The built-in inspectors' per-exchange state, one slot each in <see cref="InspectionContext"/>: an array index
/// instead of a string-keyed dictionary that every exchange made and hashed into (four to six lookups per exchange).
/// </summary>
internal enum ExchangeSlot
{
    /// <summary>The WAF's transaction.</summary>
    Waf,

    /// <summary>The content gate's admission (<c>ContentExchange</c>).</summary>
    Content,

    /// <summary>Model governance's state.</summary>
    GenAi,

    /// <summary>The parsed chat request.</summary>
    ChatRequest,

    /// <summary>PII redaction of the request body.</summary>
    PiiRequest,

    /// <summary>PII redaction of the response body.</summary>
    PiiResponse,

    /// <summary>A canary exchange waiting for its response (the last: InspectionContext sizes its slots by it).</summary>
    Canary,
}

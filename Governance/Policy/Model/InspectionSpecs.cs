namespace EnvoyGovern.Governance.Policy.Model;

/// <summary>What ExtProc does with a body whose content type it cannot read (or whose encoding it cannot decode).</summary>
public enum UnknownContentAction
{
    /// <summary>Let it pass uninspected; a finding records it.</summary>
    Pass = 0,

    /// <summary>Refuse it: 415 for a request, 502 for a response.</summary>
    Refuse = 1,
}

/// <summary>
/// Content inspection of AI API traffic in ExtProc (bodies, personal data, prompt injection) for the
/// document's hosts. Bodies are asked from Envoy only for the paths and content types that need it.
/// </summary>
public sealed record InspectionSpec
{
    /// <summary>Path patterns (<c>*</c> matches any run of characters, query ignored) inspected; empty means every path.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>The most bytes a body may hold once decoded; a larger request gets 413, a larger response 502.</summary>
    public long MaxBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>Bodies that are not JSON, form data, text or server-sent events, or use an encoding other than gzip, deflate or br.</summary>
    public UnknownContentAction UnknownContentTypes { get; init; }

    /// <summary>Personal data detection and redaction; off when absent.</summary>
    public PiiSpec? Pii { get; init; }

    /// <summary>Prompt-injection scoring of caller-supplied text; off when absent.</summary>
    public PromptInjectionSpec? PromptInjection { get; init; }

    /// <summary>Which models each tenant may call and with how many tokens; also reads token usage from answers. Off when absent.</summary>
    public ModelGovernanceSpec? Models { get; init; }

    /// <summary>Headers removed from and added to every response of the document's hosts and paths.</summary>
    public ResponseHeadersSpec? ResponseHeaders { get; init; }
}

/// <summary>What happens to a request asking for more tokens than its tenant's cap.</summary>
public enum TokenCapAction
{
    /// <summary>The cap is written into the body in place of the larger number.</summary>
    Rewrite = 0,

    /// <summary>The request is refused (403 <c>max_tokens_over_cap</c>).</summary>
    Deny = 1,
}

/// <summary>
/// Model governance of OpenAI-compatible requests, per tenant (the <c>x-governance-tenant</c> ExtAuthz
/// sets): the models allowed and the token cap. A request without a cap gets the tenant's written in.
/// Token usage is read from every answer (JSON <c>usage</c>, the last events of a stream) into the audit
/// record and Envoy's dynamic metadata (namespace <c>envoygovern.genai</c>).
/// </summary>
public sealed record ModelGovernanceSpec
{
    /// <summary>Over the cap: rewrite (default) or deny.</summary>
    public TokenCapAction OverCap { get; init; }

    /// <summary>Per tenant, first match wins; a tenant no entry matches may call no model.</summary>
    public IReadOnlyList<TenantModelsSpec> Tenants { get; init; } = [];
}

/// <summary>The models and token cap of some tenants.</summary>
public sealed record TenantModelsSpec
{
    /// <summary>Tenant names; <c>*</c> matches every tenant (and a request without one).</summary>
    public required IReadOnlyList<string> Tenants { get; init; }

    /// <summary>Model names as the body's <c>model</c> says them (<c>*</c> matches any run of characters); empty allows every model.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>The most output tokens one request may ask for; absent, no cap.</summary>
    public long? MaxTokens { get; init; }
}

/// <summary>Response hygiene: headers that leak internals go, governance headers come.</summary>
public sealed record ResponseHeadersSpec
{
    /// <summary>Header names to remove, such as <c>server</c> and <c>x-powered-by</c>.</summary>
    public IReadOnlyList<string> Remove { get; init; } = [];

    /// <summary>Headers to set (replacing any the upstream sent).</summary>
    public IReadOnlyDictionary<string, string> Add { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Prompt-injection checks of what callers send (user and tool messages, prompts, inputs): each text
/// gets a score from 0 to 100 (instruction overrides 70, role spoofing 60, hidden tag text 60, prompt
/// leaks 40, jailbreak phrases 40, persona switches 20, invisible characters 20, encoded payloads 20,
/// summed and capped).
/// </summary>
public sealed record PromptInjectionSpec
{
    /// <summary>From this score the request is flagged: a finding, and the score in <c>x-governance-prompt-injection-score</c> to the upstream.</summary>
    public int FlagAt { get; init; } = 30;

    /// <summary>From this score the request is refused with 403; absent, nothing is refused.</summary>
    public int? BlockAt { get; init; }
}

/// <summary>What to do with a personal data entity found in a body.</summary>
public enum PiiAction
{
    /// <summary>Replace it with a typed mask such as <c>[EMAIL]</c>.</summary>
    Redact = 0,

    /// <summary>Refuse the request (403), or stop the response.</summary>
    Block = 1,

    /// <summary>Leave it; the audit record notes it (type and position, never the value).</summary>
    Record = 2,

    /// <summary>Do not look for this entity.</summary>
    Off = 3,
}

/// <summary>Personal data detection in request and response bodies.</summary>
public sealed record PiiSpec
{
    /// <summary>Inspect request bodies (prompts).</summary>
    public bool Requests { get; init; } = true;

    /// <summary>Inspect response bodies (answers, streamed or not).</summary>
    public bool Responses { get; init; } = true;

    /// <summary>The action for every built-in entity not listed in <see cref="Entities"/>.</summary>
    public PiiAction Action { get; init; }

    /// <summary>
    /// Per-entity actions: <c>email</c>, <c>phone</c>, <c>creditCard</c> (Luhn-checked), <c>iban</c> (checksum),
    /// <c>usSsn</c>, <c>ipAddress</c>.
    /// </summary>
    public IReadOnlyDictionary<string, PiiAction> Entities { get; init; } = new Dictionary<string, PiiAction>();

    /// <summary>Patterns of the organisation's own (employee ids, case numbers ...).</summary>
    public IReadOnlyList<PiiPatternSpec> Patterns { get; init; } = [];
}

/// <summary>A custom personal data pattern.</summary>
public sealed record PiiPatternSpec
{
    /// <summary>Names the entity in findings (snake_case), for example <c>employee_id</c>.</summary>
    public required string Name { get; init; }

    /// <summary>A .NET regular expression, run without backtracking (no lookarounds or backreferences).</summary>
    public required string Pattern { get; init; }

    /// <summary>What to do with a match.</summary>
    public PiiAction Action { get; init; }

    /// <summary>The replacement text; <c>[NAME]</c> (the name upper-cased) when absent.</summary>
    public string? Mask { get; init; }

    /// <summary>The longest text a match can span; a streamed answer holds this much back so a match split across chunks is still found.</summary>
    public int MaxLength { get; init; } = 64;
}

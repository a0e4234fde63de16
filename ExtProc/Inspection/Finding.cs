namespace EnvoyGovern.ExtProc.Inspection;

/// <summary>
/// Something an inspector detected in an exchange (a WAF rule match, a PII entity, a prompt-injection
/// signal). Findings go to the exchange's audit record (ECS <c>rule.*</c> and our custom fields); they
/// never carry the matched secret or PII in clear: <see cref="Data"/> is already redacted.
/// </summary>
public sealed record Finding
{
    /// <summary>The inspector that reported it (for example <c>waf</c>, <c>pii</c>).</summary>
    public required string Inspector { get; init; }

    /// <summary>Stable rule id (for the CRS, the SecRule id such as <c>942100</c>).</summary>
    public required string RuleId { get; init; }

    /// <summary>Human-readable message (the rule's <c>msg</c>).</summary>
    public required string Message { get; init; }

    /// <summary>Rule category or ruleset name (for example <c>attack-sqli</c>).</summary>
    public string? Category { get; init; }

    /// <summary>Severity as the rule states it (for example <c>CRITICAL</c>).</summary>
    public string? Severity { get; init; }

    /// <summary>Anomaly score the finding contributed, if the inspector scores.</summary>
    public int? Score { get; init; }

    /// <summary>Which direction it was found in.</summary>
    public HttpDirection Direction { get; init; }

    /// <summary>Where it was found (for example <c>ARGS:id</c>), never the value itself.</summary>
    public string? Location { get; init; }

    /// <summary>Redacted evidence (the rule's <c>logdata</c> after redaction), if any.</summary>
    public string? Data { get; init; }

    /// <summary>Tags of the rule.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>True when the finding decided a rejection (a block), false when it was only recorded.</summary>
    public bool Blocking { get; init; }
}

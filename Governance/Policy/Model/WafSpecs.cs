namespace EnvoyGovern.Governance.Policy.Model;

/// <summary>What the web application firewall (ExtProc, OWASP CRS) does for the document's hosts.</summary>
public enum WafMode
{
    /// <summary>No inspection: requests pass without a look (the default).</summary>
    Off = 0,

    /// <summary>Rules run and findings reach the audit record; nothing is blocked.</summary>
    DetectionOnly = 1,

    /// <summary>Rules run and a request over the anomaly threshold (or hitting a deny rule) gets a 403.</summary>
    Blocking = 2,
}

/// <summary>The WAF section of a policy document.</summary>
public sealed record WafSpec
{
    /// <summary>Off, detection only, or blocking.</summary>
    public WafMode Mode { get; init; }

    /// <summary>CRS paranoia level 1 (few false positives) to 4 (most rules); default 1.</summary>
    public int ParanoiaLevel { get; init; } = 1;

    /// <summary>CRS inbound anomaly score at which a request is blocked (CRS default 5: one critical match).</summary>
    public int? InboundAnomalyThreshold { get; init; }

    /// <summary>CRS outbound anomaly score at which a response is blocked (CRS default 4).</summary>
    public int? OutboundAnomalyThreshold { get; init; }

    /// <summary>Also inspect response headers and bodies (phases 3 and 4); costs buffering of responses.</summary>
    public bool InspectResponses { get; init; }

    /// <summary>Per-path settings, first match wins.</summary>
    public IReadOnlyList<WafPathSpec> Paths { get; init; } = [];
}

/// <summary>WAF settings for some paths of the document's hosts.</summary>
public sealed record WafPathSpec
{
    /// <summary>Path patterns (<c>*</c> matches any run of characters), matched without the query string.</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    /// <summary>Overrides the document's mode.</summary>
    public WafMode? Mode { get; init; }

    /// <summary>Overrides the document's paranoia level.</summary>
    public int? ParanoiaLevel { get; init; }

    /// <summary>Rule ids that do not run for these paths (an exclusion for a known false positive).</summary>
    public IReadOnlyList<int> DisabledRules { get; init; } = [];
}

namespace EnvoyGovern.Governance.Policy.Model;

/// <summary>One YAML document of governance policy. Several documents (and files) form a policy set.</summary>
public sealed record PolicyDocument
{
    /// <summary>The API version this document is written against.</summary>
    public const string CurrentApiVersion = "governance.envoygovern.io/v1";

    /// <summary>The only kind of document so far.</summary>
    public const string PolicyKind = "GovernancePolicy";

    /// <summary>Must be <see cref="CurrentApiVersion"/>.</summary>
    public required string ApiVersion { get; init; }

    /// <summary>Must be <see cref="PolicyKind"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>Name and labels.</summary>
    public required PolicyMetadata Metadata { get; init; }

    /// <summary>What the policy says.</summary>
    public required PolicySpec Spec { get; init; }
}

/// <summary>Identifies a policy document.</summary>
public sealed record PolicyMetadata
{
    /// <summary>Unique across the set; a route selects it through the <c>policy</c> context extension.</summary>
    public required string Name { get; init; }

    /// <summary>Free-form labels (owner, ticket ...), kept for audit.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

/// <summary>The content of a policy document.</summary>
public sealed record PolicySpec
{
    /// <summary>Shadow mode for every rule of this document: decisions are recorded, requests pass.</summary>
    public bool DryRun { get; init; }

    /// <summary>Hosts this document governs (exact, or <c>*.example.com</c>); empty means every host.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>Where identity comes from, tried in order; the first source that finds credentials decides.</summary>
    public IReadOnlyList<IdentitySourceSpec> Identity { get; init; } = [];

    /// <summary>How the caller's region is found.</summary>
    public RegionSpec? Region { get; init; }

    /// <summary>Which model and version a request asks for, and the models that exist.</summary>
    public ModelsSpec? Models { get; init; }

    /// <summary>TLS enforcement.</summary>
    public TlsSpec? Tls { get; init; }

    /// <summary>Rate limits.</summary>
    public IReadOnlyList<QuotaSpec> Quotas { get; init; } = [];

    /// <summary>Model tokens per tenant and window: counted by ExtProc, enforced by ExtAuthz.</summary>
    public IReadOnlyList<TokenBudgetSpec> TokenBudgets { get; init; } = [];

    /// <summary>Allow and deny rules: deny overrides allow, and no matching allow means deny.</summary>
    public IReadOnlyList<RuleSpec> Rules { get; init; } = [];

    /// <summary>The web application firewall in ExtProc (OWASP CRS); off when absent.</summary>
    public WafSpec? Waf { get; init; }

    /// <summary>Content inspection of AI API bodies in ExtProc (personal data, prompt injection); off when absent.</summary>
    public InspectionSpec? Inspection { get; init; }
}

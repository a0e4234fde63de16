namespace EnvoyGovern.Governance.Policy.Model;

/// <summary>A canary: a share of a model's users sent to a newer version, with guardrails that halt it.</summary>
public sealed record CanarySpec
{
    /// <summary>Unique within the model; names the canary in metrics, audit records and the admin endpoint.</summary>
    public required string Name { get; init; }

    /// <summary>The version (a name in the model's versions) the canary sends users to.</summary>
    public required string Version { get; init; }

    /// <summary>Percentage of eligible users (0 to 100, fractions allowed). Raising it only adds users.</summary>
    public double Weight { get; init; }

    /// <summary>Who may be in the canary at all; everyone else always gets stable. Absent: every caller.</summary>
    public CanaryCohortSpec? Cohort { get; init; }

    /// <summary>A request header with which a caller in the cohort asks for the canary (<c>true</c> or <c>1</c>), whatever the weight.</summary>
    public string? OptInHeader { get; init; }

    /// <summary>A request header with which a caller asks for stable (<c>true</c> or <c>1</c>).</summary>
    public string? OptOutHeader { get; init; }

    /// <summary>What keeps a user on one version across requests and replicas.</summary>
    public CanaryStickinessSpec Stickiness { get; init; } = new();

    /// <summary>Limits relative to stable; breaking one halts the canary.</summary>
    public CanaryGuardrailsSpec? Guardrails { get; init; }
}

/// <summary>The callers a canary may include; each listed attribute must match, lists are any-of.</summary>
public sealed record CanaryCohortSpec
{
    /// <summary>Tenants allowed in the canary.</summary>
    public IReadOnlyList<string> Tenants { get; init; } = [];

    /// <summary>Groups allowed in the canary (any one suffices).</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>Regions allowed in the canary.</summary>
    public IReadOnlyList<string> Regions { get; init; } = [];
}

/// <summary>The key a user is assigned by: the same key always gets the same version.</summary>
public sealed record CanaryStickinessSpec
{
    /// <summary>Which attribute is the key.</summary>
    public StickinessKey By { get; init; } = StickinessKey.Subject;

    /// <summary>The header or cookie name, for <see cref="StickinessKey.Header"/> and <see cref="StickinessKey.Cookie"/>.</summary>
    public string? Name { get; init; }
}

/// <summary>What a canary assignment is keyed by. A request without the key gets stable.</summary>
public enum StickinessKey
{
    /// <summary>The authenticated subject.</summary>
    Subject = 0,

    /// <summary>The caller's tenant: a whole tenant moves together.</summary>
    Tenant = 1,

    /// <summary>A request header (a session or user id the client sends).</summary>
    Header = 2,

    /// <summary>A cookie.</summary>
    Cookie = 3,
}

/// <summary>
/// Limits for a canary relative to its model's stable version, over a sliding window. Each limit is
/// judged once both the canary and stable have <see cref="MinSamples"/> responses in the window (stable
/// with fewer counts as perfect: zero errors, no findings, its latency unknown so latency is not judged).
/// </summary>
public sealed record CanaryGuardrailsSpec
{
    /// <summary>Responses the canary needs in the window before any limit is judged.</summary>
    public int MinSamples { get; init; } = 100;

    /// <summary>The window outcomes are counted over (<c>5m</c>, <c>30s</c>).</summary>
    public string Window { get; init; } = "5m";

    /// <summary>How many percentage points the canary's 5xx rate may exceed stable's.</summary>
    public double? MaxErrorRateIncrease { get; init; }

    /// <summary>The most the canary's p95 latency may be, as a multiple of stable's.</summary>
    public double? MaxP95LatencyRatio { get; init; }

    /// <summary>How many percentage points the canary's rate of responses with inspection findings may exceed stable's.</summary>
    public double? MaxFindingsRateIncrease { get; init; }
}

namespace EnvoyGovern.Governance.Policy.Model;

/// <summary>Whether a matching rule lets the request pass or stops it.</summary>
public enum RuleEffect
{
    /// <summary>Lets the request pass unless a deny rule also matches.</summary>
    Allow = 0,

    /// <summary>Stops the request; overrides every allow.</summary>
    Deny = 1,
}

/// <summary>An allow or deny rule.</summary>
public sealed record RuleSpec
{
    /// <summary>Unique within the policy set; recorded as the deciding rule.</summary>
    public required string Name { get; init; }

    /// <summary>Allow or deny.</summary>
    public required RuleEffect Effect { get; init; }

    /// <summary>Reason code for the audit record and the denial body (<c>snake_case</c>).</summary>
    public string? Reason { get; init; }

    /// <summary>A sentence for the caller and the auditor.</summary>
    public string? Message { get; init; }

    /// <summary>HTTP status of a denial (403 by default; 404 hides that a resource exists).</summary>
    public int? Status { get; init; }

    /// <summary>Shadow mode for this rule only.</summary>
    public bool DryRun { get; init; }

    /// <summary>Conditions, all of which must hold (an empty block matches every request).</summary>
    public MatchSpec When { get; init; } = new();
}

/// <summary>
/// Request conditions. Within one list any value may match; across fields all must match. Patterns in
/// <see cref="Paths"/> and <see cref="Hosts"/> use <c>*</c> for any run of characters.
/// </summary>
public sealed record MatchSpec
{
    /// <summary>True: only requests with an identity; false: only requests without one.</summary>
    public bool? Authenticated { get; init; }

    /// <summary>Tenants.</summary>
    public IReadOnlyList<string> Tenants { get; init; } = [];

    /// <summary>Groups; the caller must be in at least one.</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>Subjects.</summary>
    public IReadOnlyList<string> Subjects { get; init; } = [];

    /// <summary>Regions.</summary>
    public IReadOnlyList<string> Regions { get; init; } = [];

    /// <summary>Regions the caller must NOT be in (handy for deny rules that read naturally).</summary>
    public IReadOnlyList<string> NotRegions { get; init; } = [];

    /// <summary>Source address ranges (CIDR).</summary>
    public IReadOnlyList<string> SourceCidrs { get; init; } = [];

    /// <summary>Hosts (<c>:authority</c> without port).</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>HTTP methods.</summary>
    public IReadOnlyList<string> Methods { get; init; } = [];

    /// <summary>Paths, without the query string.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>Model names (see <see cref="ModelsSpec"/>).</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>Model versions.</summary>
    public IReadOnlyList<string> ModelVersions { get; init; } = [];

    /// <summary>Time window.</summary>
    public TimeWindowSpec? Time { get; init; }

    /// <summary>Per-route context extensions that must all be present with these values.</summary>
    public IReadOnlyDictionary<string, string> ContextExtensions { get; init; } = new Dictionary<string, string>();
}

/// <summary>A daily time window, such as office hours.</summary>
public sealed record TimeWindowSpec
{
    /// <summary>Start, <c>HH:mm</c>, inclusive.</summary>
    public required string After { get; init; }

    /// <summary>End, <c>HH:mm</c>, exclusive; earlier than <see cref="After"/> means the window spans midnight.</summary>
    public required string Before { get; init; }

    /// <summary>IANA time zone.</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>Days (<c>mon</c> ... <c>sun</c>); empty means every day.</summary>
    public IReadOnlyList<string> Days { get; init; } = [];
}

/// <summary>Where the caller's region comes from, after identity claims.</summary>
public sealed record RegionSpec
{
    /// <summary>A header set by a trusted edge (CDN, global load balancer).</summary>
    public string? Header { get; init; }

    /// <summary>Source ranges whose <see cref="Header"/> is believed; from anywhere else it is ignored.</summary>
    public IReadOnlyList<string> TrustedProxies { get; init; } = [];

    /// <summary>Source ranges and their regions; the most specific range wins.</summary>
    public IReadOnlyList<RegionNetworkSpec> Networks { get; init; } = [];
}

/// <summary>A network and its region.</summary>
public sealed record RegionNetworkSpec
{
    /// <summary>CIDR.</summary>
    public required string Cidr { get; init; }

    /// <summary>Region name.</summary>
    public required string Region { get; init; }
}

/// <summary>How to tell which model and version a request asks for.</summary>
public sealed record ModelsSpec
{
    /// <summary>Header carrying the model id.</summary>
    public string? Header { get; init; }

    /// <summary>Regex over the path with a named group <c>model</c> (ReDoS-safe engine).</summary>
    public string? PathPattern { get; init; }

    /// <summary>Top-level JSON body field with the model id, when Envoy sends the body.</summary>
    public string? BodyField { get; init; } = "model";

    /// <summary>Known models. A request id matches a model's name (its stable version) or one of its version ids.</summary>
    public IReadOnlyList<ModelSpec> Catalog { get; init; } = [];
}

/// <summary>A model and its versions.</summary>
public sealed record ModelSpec
{
    /// <summary>Model name, such as <c>gpt-4o</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The version a bare model name means.</summary>
    public required string Stable { get; init; }

    /// <summary>Versions by name, with the ids clients use for them.</summary>
    public required IReadOnlyList<ModelVersionSpec> Versions { get; init; }

    /// <summary>
    /// Canary versions that take a share of the requests which name the model without a version.
    /// Each user is assigned to the first canary whose share includes them, else to stable.
    /// </summary>
    public IReadOnlyList<CanarySpec> Canaries { get; init; } = [];
}

/// <summary>One model version.</summary>
public sealed record ModelVersionSpec
{
    /// <summary>Version name, such as <c>2024-08-06</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The model id clients send for this version, such as <c>gpt-4o-2024-08-06</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The Envoy cluster that serves this version; required for versions a canary routes between.</summary>
    public string? Cluster { get; init; }
}

/// <summary>What to do with plain-HTTP requests.</summary>
public enum TlsAction
{
    /// <summary>Redirect to https.</summary>
    Redirect = 0,

    /// <summary>Deny with 403.</summary>
    Deny = 1,
}

/// <summary>TLS enforcement.</summary>
public sealed record TlsSpec
{
    /// <summary>Hosts that require TLS; empty means all the document governs.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>Redirect or deny.</summary>
    public TlsAction Action { get; init; } = TlsAction.Redirect;

    /// <summary>301 or 308 (308 keeps the method and body, right for API calls).</summary>
    public int RedirectStatus { get; init; } = 308;

    /// <summary>Source ranges whose <c>x-forwarded-proto</c> is believed (a TLS-terminating proxy in front of Envoy).</summary>
    public IReadOnlyList<string> TrustedProxies { get; init; } = [];
}

/// <summary>What a quota counts per.</summary>
public enum QuotaKey
{
    /// <summary>Per tenant.</summary>
    Tenant = 0,

    /// <summary>Per subject.</summary>
    Subject = 1,

    /// <summary>Per API key (or other credential id).</summary>
    Credential = 2,

    /// <summary>Per route (host and path pattern of the quota).</summary>
    Route = 3,

    /// <summary>Per source address.</summary>
    SourceAddress = 4,
}

/// <summary>A token-bucket rate limit.</summary>
public sealed record QuotaSpec
{
    /// <summary>Unique within the set; named in the 429 and the audit record.</summary>
    public required string Name { get; init; }

    /// <summary>What the budget is kept per.</summary>
    public QuotaKey Per { get; init; } = QuotaKey.Tenant;

    /// <summary>Tokens added per second (fractions allowed).</summary>
    public required double RequestsPerSecond { get; init; }

    /// <summary>Bucket size: the most requests allowed at once.</summary>
    public required int Burst { get; init; }

    /// <summary>Which requests count against this quota.</summary>
    public MatchSpec When { get; init; } = new();
}

namespace EnvoyGovern.Governance.Policy.Model;

/// <summary>One identity source. Exactly one member is set.</summary>
public sealed record IdentitySourceSpec
{
    /// <summary>API keys, presented in a header and stored as SHA-256 hashes.</summary>
    public ApiKeySourceSpec? ApiKey { get; init; }

    /// <summary>JWT bearer tokens verified by this service.</summary>
    public JwtSourceSpec? Jwt { get; init; }

    /// <summary>The mTLS peer certificate principal that Envoy forwards (URI SAN such as a SPIFFE ID, DNS SAN or subject).</summary>
    public MtlsSourceSpec? Mtls { get; init; }

    /// <summary>A JWT already verified by Envoy's <c>jwt_authn</c> filter, read from <c>metadata_context</c>.</summary>
    public EnvoyJwtSourceSpec? EnvoyJwt { get; init; }
}

/// <summary>API key identity.</summary>
public sealed record ApiKeySourceSpec
{
    /// <summary>Header that carries the key; for <c>authorization</c> the <c>Bearer</c> scheme is expected.</summary>
    public string Header { get; init; } = "x-api-key";

    /// <summary>Keys in the policy itself (hashes only).</summary>
    public IReadOnlyList<ApiKeySpec> Keys { get; init; } = [];

    /// <summary>A mounted Secret file with more keys (a YAML list of the same shape), read with the policy.</summary>
    public string? KeysFile { get; init; }
}

/// <summary>One API key and the identity it stands for.</summary>
public sealed record ApiKeySpec
{
    /// <summary>A name for the key (audit, rules); never the key itself.</summary>
    public required string Id { get; init; }

    /// <summary>Lower-case hex SHA-256 of the key.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Tenant the key belongs to.</summary>
    public required string Tenant { get; init; }

    /// <summary>Subject (service account, user); defaults to the key id.</summary>
    public string? Subject { get; init; }

    /// <summary>Groups of the subject.</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];
}

/// <summary>JWT bearer identity verified here.</summary>
public sealed record JwtSourceSpec
{
    /// <summary>Expected <c>iss</c>.</summary>
    public required string Issuer { get; init; }

    /// <summary>Accepted <c>aud</c> values; at least one must be present in the token.</summary>
    public IReadOnlyList<string> Audiences { get; init; } = [];

    /// <summary>Where the verification keys come from.</summary>
    public required JwksSpec Jwks { get; init; }

    /// <summary>Accepted signature algorithms.</summary>
    public IReadOnlyList<string> Algorithms { get; init; } = ["RS256", "ES256", "PS256"];

    /// <summary>Tolerance for <c>exp</c> and <c>nbf</c>, such as <c>60s</c>.</summary>
    public string ClockSkew { get; init; } = "60s";

    /// <summary>Header that carries the token (<c>authorization</c> with the <c>Bearer</c> scheme by default).</summary>
    public string Header { get; init; } = "authorization";

    /// <summary>How claims map to identity attributes.</summary>
    public ClaimMappingSpec Claims { get; init; } = new();
}

/// <summary>Verification keys: exactly one of inline, file or URL.</summary>
public sealed record JwksSpec
{
    /// <summary>A JWKS document as a string.</summary>
    public string? Inline { get; init; }

    /// <summary>A mounted file with a JWKS document, re-read with the policy.</summary>
    public string? File { get; init; }

    /// <summary>An HTTPS URL serving the JWKS, cached and refreshed.</summary>
    public string? Url { get; init; }

    /// <summary>How long a fetched JWKS is used before it is fetched again, such as <c>10m</c>.</summary>
    public string RefreshInterval { get; init; } = "10m";
}

/// <summary>Names of the claims that carry identity attributes.</summary>
public sealed record ClaimMappingSpec
{
    /// <summary>Claim for the subject.</summary>
    public string Subject { get; init; } = "sub";

    /// <summary>Claim for the tenant.</summary>
    public string Tenant { get; init; } = "tenant";

    /// <summary>Claim for the groups (an array, or a space- or comma-separated string).</summary>
    public string Groups { get; init; } = "groups";

    /// <summary>Claim for the region, if tokens carry one.</summary>
    public string? Region { get; init; }
}

/// <summary>mTLS identity from the peer principal.</summary>
public sealed record MtlsSourceSpec
{
    /// <summary>Principals and the identity each maps to; the first match wins.</summary>
    public IReadOnlyList<PrincipalSpec> Principals { get; init; } = [];
}

/// <summary>A principal pattern (<c>*</c> matches within one path segment) and its identity.</summary>
public sealed record PrincipalSpec
{
    /// <summary>Pattern such as <c>spiffe://cluster.local/ns/team-a/sa/*</c>.</summary>
    public required string Match { get; init; }

    /// <summary>Tenant of matching peers.</summary>
    public required string Tenant { get; init; }

    /// <summary>Groups of matching peers.</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];
}

/// <summary>Identity from Envoy's <c>jwt_authn</c> filter (<c>payload_in_metadata</c>).</summary>
public sealed record EnvoyJwtSourceSpec
{
    /// <summary>Filter metadata namespace.</summary>
    public string Namespace { get; init; } = "envoy.filters.http.jwt_authn";

    /// <summary>Key under which <c>jwt_authn</c> stores the payload.</summary>
    public string PayloadKey { get; init; } = "jwt_payload";

    /// <summary>How claims map to identity attributes.</summary>
    public ClaimMappingSpec Claims { get; init; } = new();
}

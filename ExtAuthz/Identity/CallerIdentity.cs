namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>Who is calling, as established by one identity source.</summary>
/// <param name="Source">Which kind of source established it (<c>apiKey</c>, <c>jwt</c>, <c>mtls</c>, <c>envoyJwt</c>).</param>
/// <param name="Subject">The caller (service account, user, SPIFFE ID).</param>
/// <param name="Tenant">The tenant the caller belongs to, when known.</param>
/// <param name="Groups">Groups of the caller.</param>
/// <param name="Region">A region the credential itself asserts (a token claim), when any.</param>
/// <param name="CredentialId">A non-secret id of the credential (API key id, token <c>jti</c>), for quotas and audit.</param>
public sealed record CallerIdentity(
    string Source,
    string Subject,
    string? Tenant,
    IReadOnlyList<string> Groups,
    string? Region = null,
    string? CredentialId = null);

/// <summary>What an identity source concluded about a request.</summary>
public enum IdentityOutcome
{
    /// <summary>The request carries no credential of this kind: try the next source.</summary>
    NoCredentials = 0,

    /// <summary>A valid credential: the identity is established.</summary>
    Authenticated = 1,

    /// <summary>A credential of this kind is present but invalid: the request is denied with 401.</summary>
    Rejected = 2,
}

/// <summary>The result of one identity source.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Identity">Set when authenticated.</param>
/// <param name="Reason">Stable reason code when rejected (<c>token_expired</c>, <c>bad_signature</c>, ...), never secret material.</param>
/// <param name="Detail">A sentence for the denial body; never contains the credential.</param>
public readonly record struct IdentityResult(IdentityOutcome Outcome, CallerIdentity? Identity = null, string? Reason = null, string? Detail = null)
{
    /// <summary>No credential of this kind.</summary>
    public static IdentityResult None => default;

    /// <summary>Authenticated as <paramref name="identity"/>.</summary>
    public static IdentityResult Success(CallerIdentity identity) => new(IdentityOutcome.Authenticated, identity);

    /// <summary>Rejected for <paramref name="reason"/>.</summary>
    public static IdentityResult Reject(string reason, string detail) => new(IdentityOutcome.Rejected, null, reason, detail);
}

using EnvoyGovern.ExtAuthz.Decisions;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>
/// One compiled identity source of the active policy. Sources are built once per policy version and
/// used by many requests at once, so they must be thread-safe and must not allocate per call beyond
/// what the credential needs.
/// </summary>
public interface IIdentitySource
{
    /// <summary><c>apiKey</c>, <c>jwt</c>, <c>mtls</c> or <c>envoyJwt</c>.</summary>
    string Kind { get; }

    /// <summary>Looks for this source's credential in the request and verifies it.</summary>
    ValueTask<IdentityResult> AuthenticateAsync(CheckContext context, CancellationToken cancellationToken);
}

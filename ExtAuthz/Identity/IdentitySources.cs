using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>Compiles identity source specs into the sources requests are checked with.</summary>
public static class IdentitySources
{
    /// <summary>
    /// Builds the source for <paramref name="spec"/>, reading files and checking every setting now, so a
    /// bad policy is refused with a <see cref="PolicyCompilationException"/> before it is ever used.
    /// Sources that hold resources (key refresh, token cache) are <see cref="IDisposable"/>.
    /// </summary>
    public static IIdentitySource Create(IdentitySourceSpec spec, IdentitySourceContext ctx)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(ctx);
        var set = (spec.ApiKey is null ? 0 : 1) + (spec.Jwt is null ? 0 : 1) + (spec.Mtls is null ? 0 : 1) + (spec.EnvoyJwt is null ? 0 : 1);
        if (set != 1)
        {
            throw new PolicyCompilationException(ctx.Path.Length == 0 ? "/" : ctx.Path, "an identity source sets exactly one of apiKey, jwt, mtls or envoyJwt");
        }

        return spec switch
        {
            { ApiKey: { } apiKey } => ApiKeySource.Create(apiKey, ctx),
            { Jwt: { } jwt } => JwtSourceFactory.Create(jwt, ctx),
            { Mtls: { } mtls } => MtlsSource.Create(mtls, ctx),
            { EnvoyJwt: { } envoyJwt } => EnvoyJwtSource.Create(envoyJwt, ctx),
            _ => throw new PolicyCompilationException(ctx.Path, "unreachable"),
        };
    }
}

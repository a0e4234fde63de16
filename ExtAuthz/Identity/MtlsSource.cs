using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>
/// Identity from the peer certificate as Envoy reports it in <c>source.principal</c> (first URI SAN,
/// else DNS SAN, else subject). Envoy has already verified the chain; this only maps the principal.
/// </summary>
internal sealed class MtlsSource : IIdentitySource
{
    private readonly (PrincipalPattern Pattern, string Tenant, string[] Groups)[] _principals;

    private MtlsSource((PrincipalPattern, string, string[])[] principals) => _principals = principals;

    public string Kind => "mtls";

    public static MtlsSource Create(MtlsSourceSpec spec, IdentitySourceContext context)
    {
        var path = context.Path + "/mtls/principals";
        if (spec.Principals.Count == 0)
        {
            throw new PolicyCompilationException(path, "list at least one principal pattern");
        }

        var principals = new (PrincipalPattern, string, string[])[spec.Principals.Count];
        for (var i = 0; i < principals.Length; i++)
        {
            var principal = spec.Principals[i];
            if (string.IsNullOrWhiteSpace(principal.Tenant))
            {
                throw new PolicyCompilationException($"{path}/{i}/tenant", "tenant is required");
            }

            principals[i] = (PrincipalPattern.Create(principal.Match, $"{path}/{i}/match"), principal.Tenant, [.. principal.Groups]);
        }

        return new MtlsSource(principals);
    }

    public ValueTask<IdentityResult> AuthenticateAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var principal = context.Request.SourcePrincipal;
        if (string.IsNullOrEmpty(principal))
        {
            return ValueTask.FromResult(IdentityResult.None);
        }

        foreach (var (pattern, tenant, groups) in _principals)
        {
            if (pattern.IsMatch(principal))
            {
                return ValueTask.FromResult(IdentityResult.Success(new CallerIdentity(Kind, principal, tenant, groups)));
            }
        }

        return ValueTask.FromResult(IdentityResult.Reject("unknown_principal", "The client certificate is not one this policy admits."));
    }
}

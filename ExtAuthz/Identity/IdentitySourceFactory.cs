using EnvoyGovern.Governance.Policy.Model;
using EnvoyGovern.Governance.Policy.Runtime;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>Compiles identity sources with the host's clock, HTTP client and logging; files resolve against the policy directory.</summary>
internal sealed class IdentitySourceFactory(
    TimeProvider time,
    IHttpClientFactory httpClients,
    IOptions<PolicyOptions> policy,
    ILoggerFactory loggers) : IIdentitySourceFactory
{
    public IIdentitySource Create(IdentitySourceSpec spec) => IdentitySources.Create(spec, new IdentitySourceContext
    {
        TimeProvider = time,
        HttpClientFactory = httpClients,
        BaseDirectory = policy.Value.Directory,
        LoggerFactory = loggers,
    });
}

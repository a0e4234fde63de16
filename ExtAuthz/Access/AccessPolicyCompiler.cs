using System.Net;
using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.ExtAuthz.Quotas;
using EnvoyGovern.Governance.TokenBudgets;
using EnvoyGovern.Governance.Policy;
using EnvoyGovern.Governance.Policy.Loading;
using EnvoyGovern.Governance.Policy.Model;
using EnvoyGovern.Governance.Policy.Runtime;

namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>Compiles the access part of a policy set; anything it cannot build rejects the set.</summary>
internal sealed class AccessPolicyCompiler(IIdentitySourceFactory identity) : IPolicyCompiler
{
    public object Compile(PolicySet policy, ICollection<PolicyError> errors)
    {
        var documents = new List<CompiledDocument>(policy.Documents.Count);
        foreach (var loaded in policy.Documents)
        {
            var spec = loaded.Document.Spec;
            var name = loaded.Document.Metadata.Name;
            try
            {
                documents.Add(new CompiledDocument
                {
                    Name = name,
                    DryRun = spec.DryRun,
                    Hosts = spec.Hosts.Count == 0 ? null : [.. spec.Hosts.Select(h => new Glob(h, ignoreCase: true))],
                    Identity = [.. spec.Identity.Select((s, i) => CreateIdentity(s, loaded, i, errors)).OfType<IIdentitySource>()],
                    Region = spec.Region is null ? null : new RegionResolver(spec.Region),
                    Models = spec.Models is null ? null : new ModelResolver(spec.Models),
                    Tls = spec.Tls is null ? null : new CompiledTls(
                        spec.Tls.Hosts.Count == 0 ? null : [.. spec.Tls.Hosts.Select(h => new Glob(h, ignoreCase: true))],
                        spec.Tls.Action,
                        spec.Tls.RedirectStatus,
                        [.. spec.Tls.TrustedProxies.Select(c => IPNetwork.Parse(c))]),
                    Rules = [.. spec.Rules.Select(r => new CompiledRule(
                        r.Name, name, r.Effect, r.Reason ?? (r.Effect == RuleEffect.Allow ? "allowed" : "denied"), r.Message,
                        r.Status ?? 403, r.DryRun || spec.DryRun, new CompiledMatch(r.When)))],
                    Quotas = [.. spec.Quotas.Select(q => new CompiledQuota(q.Name, q.Per, new QuotaRate(q.RequestsPerSecond, q.Burst), new CompiledMatch(q.When)))],
                    TokenBudgets = [.. spec.TokenBudgets.Select(b => new CompiledTokenBudget(b))],
                });
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                errors.Add(new PolicyError(loaded.File, 0, 0, "/spec", $"policy '{name}' cannot be compiled: {ex.Message}"));
            }
        }

        return new AccessPolicy(documents);
    }

    private IIdentitySource? CreateIdentity(IdentitySourceSpec spec, LoadedDocument loaded, int index, ICollection<PolicyError> errors)
    {
        try
        {
            return identity.Create(spec);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            errors.Add(new PolicyError(loaded.File, 0, 0, $"/spec/identity/{index}", ex.Message));
            return null;
        }
    }
}

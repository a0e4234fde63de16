using System.Net;
using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.ExtAuthz.Quotas;
using EnvoyGovern.Governance.Policy;
using EnvoyGovern.Governance.Policy.Model;
using EnvoyGovern.Governance.TokenBudgets;

namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>One policy document ready for evaluation.</summary>
internal sealed class CompiledDocument
{
    public required string Name { get; init; }

    /// <summary>Every rule of the document is in shadow mode.</summary>
    public required bool DryRun { get; init; }

    /// <summary>Hosts the document governs; null for all.</summary>
    public required Glob[]? Hosts { get; init; }

    public required IIdentitySource[] Identity { get; init; }

    public required RegionResolver? Region { get; init; }

    public required ModelResolver? Models { get; init; }

    public required CompiledTls? Tls { get; init; }

    public required CompiledRule[] Rules { get; init; }

    public required CompiledQuota[] Quotas { get; init; }

    /// <summary>Token budgets ExtProc counts; refused here once used up.</summary>
    public CompiledTokenBudget[] TokenBudgets { get; init; } = [];

    public bool Governs(string host)
    {
        if (Hosts is null)
        {
            return true;
        }

        foreach (var glob in Hosts)
        {
            if (glob.IsMatch(host))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A rule ready for evaluation.</summary>
internal sealed record CompiledRule(string Name, string Document, RuleEffect Effect, string Reason, string? Message, int Status, bool DryRun, CompiledMatch When);

/// <summary>A quota ready for evaluation.</summary>
internal sealed record CompiledQuota(string Name, QuotaKey Per, QuotaRate Rate, CompiledMatch When)
{
    // Bucket names repeat for every request of a tenant or subject: built once, not per Check. Bounded,
    // since the values come from credentials; past the bound a name is simply built each time.
    private const int MaxCachedNames = 10_000;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _bucketNames = new(StringComparer.Ordinal);

    /// <summary>The store key of the bucket for <paramref name="key"/>: the quota's name, then the key.</summary>
    public string BucketName(string key)
    {
        if (_bucketNames.TryGetValue(key, out var name))
        {
            return name;
        }

        name = $"{Name}:{key}";
        if (_bucketNames.Count < MaxCachedNames)
        {
            _bucketNames.TryAdd(key, name);
        }

        return name;
    }
}

/// <summary>TLS enforcement ready for evaluation.</summary>
internal sealed record CompiledTls(Glob[]? Hosts, TlsAction Action, int RedirectStatus, IPNetwork[] TrustedProxies)
{
    public bool Covers(string host) => Hosts is null || Hosts.Any(h => h.IsMatch(host));

    public bool TrustsForwardedProto(IPAddress? source) => source is not null && TrustedProxies.Any(n => n.Contains(source));
}

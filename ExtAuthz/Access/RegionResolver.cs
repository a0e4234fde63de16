using System.Net;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>
/// The caller's region: a claim of the credential first (it is signed), then the edge header when the
/// request comes from a trusted proxy, then the most specific network of the source address.
/// </summary>
internal sealed class RegionResolver
{
    private readonly string? _header;
    private readonly IPNetwork[] _trusted;
    private readonly (IPNetwork Network, string Region)[] _networks;

    public RegionResolver(RegionSpec spec)
    {
        _header = spec.Header?.ToLowerInvariant();
        _trusted = [.. spec.TrustedProxies.Select(c => IPNetwork.Parse(c))];
        // Longest prefix first, so the first hit is the most specific.
        _networks = [.. spec.Networks.Select(n => (IPNetwork.Parse(n.Cidr), n.Region)).OrderByDescending(n => n.Item1.PrefixLength)];
    }

    public string? Resolve(CheckContext context, RequestAttributes request)
    {
        if (request.Identity?.Region is { } claimed)
        {
            return claimed;
        }

        if (_header is not null && request.Source is { } proxy && _trusted.Any(n => n.Contains(proxy)) && context.GetHeader(_header) is { Length: > 0 } fromEdge)
        {
            return fromEdge;
        }

        if (request.Source is { } source)
        {
            foreach (var (network, region) in _networks)
            {
                if (network.Contains(source))
                {
                    return region;
                }
            }
        }

        return null;
    }
}

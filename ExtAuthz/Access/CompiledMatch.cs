using System.Net;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>
/// A <see cref="MatchSpec"/> compiled for evaluation: sets for the string lists, parsed networks,
/// linear-time globs. A null member means "no condition"; conditions are tried cheapest first.
/// </summary>
internal sealed partial class CompiledMatch
{
    private readonly bool? _authenticated;
    private readonly HashSet<string>? _methods;
    private readonly Glob[]? _hosts;
    private readonly Glob[]? _paths;
    private readonly HashSet<string>? _tenants;
    private readonly HashSet<string>? _groups;
    private readonly HashSet<string>? _subjects;
    private readonly HashSet<string>? _regions;
    private readonly HashSet<string>? _notRegions;
    private readonly HashSet<string>? _models;
    private readonly HashSet<string>? _versions;
    private readonly IPNetwork[]? _networks;
    private readonly KeyValuePair<string, string>[]? _extensions;
    private readonly CompiledTimeWindow? _time;

    public CompiledMatch(MatchSpec spec)
    {
        _authenticated = spec.Authenticated;
        _methods = Set(spec.Methods);
        _hosts = spec.Hosts.Count == 0 ? null : [.. spec.Hosts.Select(h => new Glob(h, ignoreCase: true))];
        _paths = spec.Paths.Count == 0 ? null : [.. spec.Paths.Select(p => new Glob(p, ignoreCase: false))];
        _tenants = Set(spec.Tenants);
        _groups = Set(spec.Groups);
        _subjects = Set(spec.Subjects);
        _regions = Set(spec.Regions);
        _notRegions = Set(spec.NotRegions);
        _models = Set(spec.Models);
        _versions = Set(spec.ModelVersions);
        _networks = spec.SourceCidrs.Count == 0 ? null : [.. spec.SourceCidrs.Select(c => IPNetwork.Parse(c))];
        _extensions = spec.ContextExtensions.Count == 0 ? null : [.. spec.ContextExtensions];
        _time = spec.Time is null ? null : new CompiledTimeWindow(spec.Time);
    }

    public bool IsMatch(RequestAttributes request)
    {
        var identity = request.Identity;
        return (_authenticated is null || _authenticated == (identity is not null))
            && (_methods is null || _methods.Contains(request.Method))
            && (_hosts is null || Any(_hosts, request.Host))
            && (_paths is null || Any(_paths, request.Path))
            && (_tenants is null || (identity?.Tenant is { } tenant && _tenants.Contains(tenant)))
            && (_subjects is null || (identity is not null && _subjects.Contains(identity.Subject)))
            && (_groups is null || (identity is not null && identity.Groups.Any(_groups.Contains)))
            && (_regions is null || (request.Region is { } region && _regions.Contains(region)))
            && (_notRegions is null || request.Region is null || !_notRegions.Contains(request.Region))
            && (_models is null || (request.Model is { } model && _models.Contains(model)))
            && (_versions is null || (request.ModelVersion is { } version && _versions.Contains(version)))
            && (_networks is null || (request.Source is { } source && InAny(_networks, source)))
            && (_extensions is null || Extensions(_extensions, request.ContextExtensions))
            && (_time is null || _time.Contains(request.Now));
    }

    private static HashSet<string>? Set(IReadOnlyList<string> values) => values.Count == 0 ? null : new HashSet<string>(values, StringComparer.Ordinal);

    private static bool Any(Glob[] globs, string value)
    {
        foreach (var glob in globs)
        {
            if (glob.IsMatch(value))
            {
                return true;
            }
        }

        return false;
    }

    private static bool InAny(IPNetwork[] networks, IPAddress address)
    {
        foreach (var network in networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Extensions(KeyValuePair<string, string>[] required, IReadOnlyDictionary<string, string> actual)
    {
        foreach (var (key, value) in required)
        {
            if (!actual.TryGetValue(key, out var present) || present != value)
            {
                return false;
            }
        }

        return true;
    }
}

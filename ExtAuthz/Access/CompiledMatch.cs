using System.Net;
using EnvoyGovern.Governance.Policy;
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
        (IndexKey, IndexValues) = ChooseIndexKey(spec);
    }

    /// <summary>
    /// The attribute <see cref="RuleIndex"/> files this match under: one the request must carry with one of
    /// <see cref="IndexValues"/> for the match to succeed, so a request without it can skip the rule.
    /// </summary>
    public MatchKey IndexKey { get; }

    /// <summary>The values of <see cref="IndexKey"/> that can match; empty for <see cref="MatchKey.None"/>.</summary>
    public string[] IndexValues { get; }

    public bool IsMatch(RequestAttributes request)
    {
        var identity = request.Identity;
        return (_authenticated is null || _authenticated == (identity is not null))
            && (_methods is null || _methods.Contains(request.Method))
            && (_hosts is null || Any(_hosts, request.Host))
            && (_paths is null || Any(_paths, request.Path))
            && (_tenants is null || (identity?.Tenant is { } tenant && _tenants.Contains(tenant)))
            && (_subjects is null || (identity is not null && _subjects.Contains(identity.Subject)))
            && (_groups is null || (identity is not null && AnyIn(identity.Groups, _groups)))
            && (_regions is null || (request.Region is { } region && _regions.Contains(region)))
            && (_notRegions is null || request.Region is null || !_notRegions.Contains(request.Region))
            && (_models is null || (request.Model is { } model && _models.Contains(model)))
            && (_versions is null || (request.ModelVersion is { } version && _versions.Contains(version)))
            && (_networks is null || (request.Source is { } source && InAny(_networks, source)))
            && (_extensions is null || Extensions(_extensions, request.ContextExtensions))
            && (_time is null || _time.Contains(request.Now));
    }

    // The most selective condition first: tenants and subjects split a policy finely, methods hardly.
    private static (MatchKey Key, string[] Values) ChooseIndexKey(MatchSpec spec) =>
        spec.Tenants.Count > 0 ? (MatchKey.Tenant, [.. spec.Tenants])
        : spec.Subjects.Count > 0 ? (MatchKey.Subject, [.. spec.Subjects])
        : spec.Models.Count > 0 ? (MatchKey.Model, [.. spec.Models])
        : spec.Regions.Count > 0 ? (MatchKey.Region, [.. spec.Regions])
        : spec.Groups.Count > 0 ? (MatchKey.Group, [.. spec.Groups])
        : PathSegments(spec.Paths) is { } segments ? (MatchKey.PathSegment, segments)
        : spec.Methods.Count > 0 ? (MatchKey.Method, [.. spec.Methods])
        : (MatchKey.None, []);

    // "/v1/chat/*" can only match a path that starts with "/v1/", so "v1" is a key; "/v1*" or "*" is not.
    private static string[]? PathSegments(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
        {
            return null;
        }

        var segments = new string[paths.Count];
        for (var i = 0; i < paths.Count; i++)
        {
            if (FirstSegment(paths[i]) is not { } segment || segment.Contains('*', StringComparison.Ordinal))
            {
                return null;
            }

            segments[i] = segment.ToString();
        }

        return segments;
    }

    /// <summary>The request side of <see cref="MatchKey.PathSegment"/>, without allocating; false when the path has no second '/'.</summary>
    public static bool TryGetFirstSegment(string path, out ReadOnlySpan<char> segment)
    {
        var end = path.Length < 2 || path[0] != '/' ? -1 : path.IndexOf('/', 1);
        segment = end < 0 ? default : path.AsSpan(1, end - 1);
        return end >= 0;
    }

    private static string? FirstSegment(string pattern) =>
        TryGetFirstSegment(pattern, out var segment) ? segment.ToString() : null;

    private static bool AnyIn(IReadOnlyList<string> values, HashSet<string> set)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (set.Contains(values[i]))
            {
                return true;
            }
        }

        return false;
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

/// <summary>The request attribute a rule is indexed by (see <see cref="CompiledMatch.IndexKey"/>).</summary>
internal enum MatchKey
{
    None,
    Tenant,
    Subject,
    Model,
    Region,
    Group,
    PathSegment,
    Method,
}

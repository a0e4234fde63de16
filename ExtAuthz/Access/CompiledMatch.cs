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
        IndexOptions = IndexOptionsOf(spec);
    }

    /// <summary>
    /// The attributes <see cref="RuleIndex"/> may file this match under: for each, the request must carry one
    /// of its values for the match to succeed, so a request without any can skip the rule. In order of
    /// usual selectivity; the index picks the one whose buckets are smallest across the policy. Empty when
    /// no condition can serve (the rule is tried for every request).
    /// </summary>
    public IReadOnlyList<IndexOption> IndexOptions { get; }

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

    // Tenants and subjects usually split a policy finely, methods hardly.
    private static IndexOption[] IndexOptionsOf(MatchSpec spec)
    {
        var options = new List<IndexOption>();
        Add(options, MatchKey.Tenant, spec.Tenants);
        Add(options, MatchKey.Subject, spec.Subjects);
        Add(options, MatchKey.Model, spec.Models);
        Add(options, MatchKey.Region, spec.Regions);
        if (NetworkKeys(spec.SourceCidrs) is { } networks)
        {
            options.Add(new IndexOption(MatchKey.Network, networks));
        }

        Add(options, MatchKey.Group, spec.Groups);
        if (PathSegments(spec.Paths) is { } segments)
        {
            options.Add(new IndexOption(MatchKey.PathSegment, segments));
        }

        Add(options, MatchKey.Method, spec.Methods);
        return [.. options];

        static void Add(List<IndexOption> options, MatchKey key, IReadOnlyList<string> values)
        {
            if (values.Count > 0)
            {
                options.Add(new IndexOption(key, [.. values.Distinct(StringComparer.Ordinal)]));
            }
        }
    }

    // A network of at least /8 (IPv4) or /16 (IPv6) only holds addresses that share its first byte
    // (or first two): that prefix is a key. A wider network (0.0.0.0/0) makes the condition unindexable.
    private static string[]? NetworkKeys(IReadOnlyList<string> cidrs)
    {
        if (cidrs.Count == 0)
        {
            return null;
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        Span<char> key = stackalloc char[NetworkKeyLength];
        foreach (var cidr in cidrs)
        {
            var network = IPNetwork.Parse(cidr);
            var minimum = network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 8 : 16;
            if (network.PrefixLength < minimum || !TryWriteNetworkKey(network.BaseAddress, key, out var written))
            {
                return null;
            }

            keys.Add(key[..written].ToString());
        }

        return [.. keys];
    }

    /// <summary>Longest key <see cref="TryWriteNetworkKey"/> writes.</summary>
    public const int NetworkKeyLength = 8;

    /// <summary>
    /// The request side of <see cref="MatchKey.Network"/>: the address family and first byte (IPv4) or
    /// first two bytes (IPv6), written without allocating. An IPv4-mapped IPv6 address is in IPv4
    /// networks (as its IPv4 form) and in IPv6 ones, as <see cref="IPNetwork.Contains"/> sees it: with
    /// <paramref name="mappedAsIPv4"/> it is keyed as IPv4, and false is returned for other addresses.
    /// </summary>
    public static bool TryWriteNetworkKey(IPAddress address, Span<char> key, out int written, bool mappedAsIPv4 = false)
    {
        written = 0;
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var length) || length is not (4 or 16) || (mappedAsIPv4 && !address.IsIPv4MappedToIPv6))
        {
            return false;
        }

        var ipv4 = length == 4 || mappedAsIPv4;
        key[0] = ipv4 ? '4' : '6';
        key[1] = '.';
        var value = length == 4 ? bytes[0] : ipv4 ? bytes[12] : (bytes[0] << 8) | bytes[1];
        value.TryFormat(key[2..], out var digits, "x", System.Globalization.CultureInfo.InvariantCulture);
        written = 2 + digits;
        return true;
    }

    // "/v1/chat/*" can only match a path that starts with "/v1/", so "v1" is a key; "/v1*" or "*" is not.
    private static string[]? PathSegments(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
        {
            return null;
        }

        var segments = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < paths.Count; i++)
        {
            if (FirstSegment(paths[i]) is not { } segment || segment.Contains('*', StringComparison.Ordinal))
            {
                return null;
            }

            segments.Add(segment);
        }

        return [.. segments];
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

    internal static bool AnyIn(IReadOnlyList<string> values, HashSet<string> set)
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

/// <summary>A condition a rule could be indexed by: the request must carry one of <paramref name="Values"/> for <paramref name="Key"/>.</summary>
internal readonly record struct IndexOption(MatchKey Key, string[] Values);

/// <summary>The request attribute a rule is indexed by (see <see cref="CompiledMatch.IndexOptions"/>).</summary>
internal enum MatchKey
{
    None,
    Tenant,
    Subject,
    Model,
    Region,
    Network,
    Group,
    PathSegment,
    Method,
}

using System.Globalization;

namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>One condition of a <c>when</c> block and whether the request meets it.</summary>
/// <param name="Name">The policy field (<c>modelVersions</c>, <c>groups</c> ...).</param>
/// <param name="Holds">Whether the request meets it.</param>
/// <param name="Actual">What the request has for it, in words (<c>request has 2024-11-20</c>).</param>
internal sealed record MatchCondition(string Name, bool Holds, string Actual);

/// <summary>
/// Condition-by-condition evaluation for <c>envoy-govern policy explain</c>. It reads the very fields
/// <see cref="IsMatch"/> reads (this is a part of the same class), so an explanation cannot describe a
/// policy other than the one the engine runs; <see cref="Explain"/> callers compare the overall result
/// with <see cref="IsMatch"/> to catch a condition added there and not here.
/// </summary>
internal sealed partial class CompiledMatch
{
    /// <summary>Every condition the block sets, in the engine's order, with its result.</summary>
    public IReadOnlyList<MatchCondition> Explain(RequestAttributes request)
    {
        var identity = request.Identity;
        var conditions = new List<MatchCondition>();
        if (_authenticated is { } wanted)
        {
            conditions.Add(new("authenticated", wanted == (identity is not null), identity is null ? "request is anonymous" : "request is authenticated"));
        }

        Add(conditions, "methods", _methods is null ? null : _methods.Contains(request.Method), request.Method);
        Add(conditions, "hosts", _hosts is null ? null : Any(_hosts, request.Host), request.Host);
        Add(conditions, "paths", _paths is null ? null : Any(_paths, request.Path), request.Path);
        Add(conditions, "tenants", _tenants is null ? null : identity?.Tenant is { } tenant && _tenants.Contains(tenant), identity?.Tenant);
        Add(conditions, "subjects", _subjects is null ? null : identity is not null && _subjects.Contains(identity.Subject), identity?.Subject);
        Add(conditions, "groups", _groups is null ? null : identity is not null && identity.Groups.Any(_groups.Contains), identity is null || identity.Groups.Count == 0 ? null : string.Join(',', identity.Groups));
        Add(conditions, "regions", _regions is null ? null : request.Region is { } region && _regions.Contains(region), request.Region);
        Add(conditions, "notRegions", _notRegions is null ? null : request.Region is null || !_notRegions.Contains(request.Region), request.Region);
        Add(conditions, "models", _models is null ? null : request.Model is { } model && _models.Contains(model), request.Model);
        Add(conditions, "modelVersions", _versions is null ? null : request.ModelVersion is { } version && _versions.Contains(version), request.ModelVersion);
        Add(conditions, "sourceCidrs", _networks is null ? null : request.Source is { } source && InAny(_networks, source), request.Source?.ToString());
        Add(conditions, "contextExtensions", _extensions is null ? null : Extensions(_extensions, request.ContextExtensions), Describe(request.ContextExtensions));
        Add(conditions, "time", _time is null ? null : _time.Contains(request.Now), request.Now.ToString("u", CultureInfo.InvariantCulture));
        return conditions;
    }

    private static void Add(List<MatchCondition> conditions, string name, bool? holds, string? actual)
    {
        if (holds is { } result)
        {
            conditions.Add(new(name, result, actual is null ? "request has none" : $"request has {actual}"));
        }
    }

    private static string? Describe(IReadOnlyDictionary<string, string> extensions) =>
        extensions.Count == 0 ? null : string.Join(',', extensions.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}"));
}

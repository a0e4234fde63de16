using EnvoyGovern.ExtAuthz.Access;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Canary;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtAuthz.Canary;

/// <summary>
/// The clusters of one model's versions and its canaries. A request that names a version goes to that
/// version's cluster; one that names only the model goes to stable unless a canary takes it: the
/// first canary (in policy order) that is not halted, whose cohort includes the caller, and that the
/// caller opted into or whose weight covers the caller's position.
/// </summary>
internal sealed class ModelRouting
{
    private static readonly string[] StableReasons = ["not_in_cohort", "halted", "opt_out", "no_stickiness_key"];

    private readonly Dictionary<string, string> _clusters;
    private readonly string _stableVersion;
    private readonly RouteChoice _stable;
    private readonly Dictionary<string, RouteChoice> _stableBecause;
    private readonly CompiledCanary[] _canaries;

    private ModelRouting(ModelSpec model, Dictionary<string, string> clusters)
    {
        Model = model.Name;
        _clusters = clusters;
        _stableVersion = model.Stable;
        // One answer per reason, built here, so choosing allocates nothing.
        _stable = new RouteChoice(clusters[model.Stable], model.Stable, null, "stable");
        _stableBecause = StableReasons.ToDictionary(r => r, r => _stable with { Reason = r }, StringComparer.Ordinal);
        _canaries = [.. model.Canaries.Select(c => new CompiledCanary(model.Name, c, clusters[c.Version]))];
    }

    public string Model { get; }

    /// <summary>The stable version's cluster, which canaries are judged against.</summary>
    public string StableCluster => _stable.Cluster;

    public IReadOnlyList<CompiledCanary> Canaries => _canaries;

    /// <summary>The routing of a model whose versions name clusters, else null (the request is not routed by cluster).</summary>
    public static ModelRouting? Create(ModelSpec model)
    {
        if (model.Versions.Any(v => v.Cluster is null))
        {
            return null; // validation makes this all or nothing
        }

        return new ModelRouting(model, model.Versions.ToDictionary(v => v.Name, v => v.Cluster!, StringComparer.Ordinal));
    }

    public RouteChoice Choose(CheckContext context, RequestAttributes request, bool versionPinned, ICanaryHalts halts)
    {
        var version = request.ModelVersion ?? _stableVersion;
        if (versionPinned)
        {
            return _clusters.TryGetValue(version, out var pinned) ? new RouteChoice(pinned, version, null, "pinned") : _stable;
        }

        // The first reason a canary passed the caller by is the one worth reporting.
        string? passedBy = null;
        foreach (var canary in _canaries)
        {
            if (!canary.InCohort(request))
            {
                passedBy ??= "not_in_cohort";
                continue;
            }

            if (halts.IsHalted(canary.Key))
            {
                passedBy ??= "halted";
                continue;
            }

            if (canary.OptsOut(context))
            {
                passedBy ??= "opt_out";
                continue;
            }

            if (canary.OptsIn(context))
            {
                return new RouteChoice(canary.Cluster, canary.Version, canary.Name, "opt_in");
            }

            if (canary.KeyOf(context, request) is not { } key)
            {
                passedBy ??= "no_stickiness_key";
                continue;
            }

            if (CanaryBucket.Position(key, Model, canary.Name) < canary.Threshold)
            {
                return new RouteChoice(canary.Cluster, canary.Version, canary.Name, "weight");
            }
        }

        return passedBy is null ? _stable : _stableBecause[passedBy];
    }
}

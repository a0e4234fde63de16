using EnvoyGovern.Governance.Canary;
using EnvoyGovern.Governance.Envoy;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.Governance.Policy.Loading;

/// <summary>Checks of a model's clusters and canaries that the schema cannot express.</summary>
internal static class CanaryValidation
{
    public static void Check(ModelsSpec models, ErrorSink sink)
    {
        for (var i = 0; i < models.Catalog.Count; i++)
        {
            Model(models.Catalog[i], $"/spec/models/catalog/{i}", sink);
        }
    }

    private static void Model(ModelSpec model, string at, ErrorSink sink)
    {
        var routed = model.Versions.Any(v => v.Cluster is not null);
        for (var v = 0; v < model.Versions.Count; v++)
        {
            var cluster = model.Versions[v].Cluster;
            if (cluster is not null && (cluster.Length == 0 || cluster.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
            {
                sink.Add($"{at}/versions/{v}/cluster", $"'{cluster}' is not an Envoy cluster name");
            }
            else if (cluster is null && (routed || model.Canaries.Count > 0))
            {
                // A version without a cluster would leave the route's cluster header empty: Envoy answers 503.
                sink.Add($"{at}/versions/{v}/cluster", "every version of a model that routes by cluster (or has canaries) needs a cluster");
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var total = 0.0;
        for (var c = 0; c < model.Canaries.Count; c++)
        {
            var canary = model.Canaries[c];
            var path = $"{at}/canaries/{c}";
            if (!names.Add(canary.Name))
            {
                sink.Add($"{path}/name", $"canary '{canary.Name}' appears twice in model '{model.Name}'");
            }

            if (canary.Version == model.Stable)
            {
                sink.Add($"{path}/version", $"'{canary.Version}' is the stable version; a canary needs another one");
            }
            else if (!model.Versions.Any(v => v.Name == canary.Version))
            {
                sink.Add($"{path}/version", $"'{canary.Version}' is not one of the model's versions ({string.Join(", ", model.Versions.Select(v => v.Name))})");
            }

            if (!(canary.Weight is >= 0 and <= 100))
            {
                sink.Add($"{path}/weight", "must be a percentage from 0 to 100 (fractions such as 0.5 are fine)");
            }
            else
            {
                total += canary.Weight;
            }

            Header(canary.OptInHeader, $"{path}/optInHeader", sink);
            Header(canary.OptOutHeader, $"{path}/optOutHeader", sink);
            Stickiness(canary.Stickiness, $"{path}/stickiness", sink);
            Guardrails(canary.Guardrails, $"{path}/guardrails", sink);
        }

        if (total > 100)
        {
            sink.Add($"{at}/canaries", $"the canaries' weights add up to {total}%, more than 100%");
        }
    }

    private static void Header(string? name, string path, ErrorSink sink)
    {
        if (name is not null && !HeaderRules.IsValidName(name))
        {
            sink.Add(path, $"'{name}' is not a header name");
        }
    }

    private static void Stickiness(CanaryStickinessSpec stickiness, string path, ErrorSink sink)
    {
        var named = stickiness.By is StickinessKey.Header or StickinessKey.Cookie;
        if (named && string.IsNullOrWhiteSpace(stickiness.Name))
        {
            sink.Add($"{path}/name", $"stickiness by {stickiness.By.ToString().ToLowerInvariant()} needs the {stickiness.By.ToString().ToLowerInvariant()} name");
        }
        else if (!named && stickiness.Name is not null)
        {
            sink.Add($"{path}/name", $"name is only for stickiness by header or cookie, not by {stickiness.By.ToString().ToLowerInvariant()}");
        }
        else if (stickiness.By == StickinessKey.Header)
        {
            Header(stickiness.Name, $"{path}/name", sink);
        }
    }

    private static void Guardrails(CanaryGuardrailsSpec? guardrails, string path, ErrorSink sink)
    {
        if (guardrails is null)
        {
            return;
        }

        if (guardrails.MinSamples < 1)
        {
            sink.Add($"{path}/minSamples", "must be at least 1");
        }

        if (!Durations.TryParse(guardrails.Window, out var window) || window < TimeSpan.FromSeconds(10) || window > CanaryLimits.MaxWindow)
        {
            sink.Add($"{path}/window", $"'{guardrails.Window}' is not a window from 10s to 1h (write 30s, 5m, 1h)");
        }

        Rate(guardrails.MaxErrorRateIncrease, $"{path}/maxErrorRateIncrease", sink);
        Rate(guardrails.MaxFindingsRateIncrease, $"{path}/maxFindingsRateIncrease", sink);
        if (guardrails.MaxP95LatencyRatio is { } ratio && !(ratio >= 1 && double.IsFinite(ratio)))
        {
            sink.Add($"{path}/maxP95LatencyRatio", "must be a multiple of stable's p95 of at least 1 (1.5 = 50% slower)");
        }

        if (guardrails.MaxErrorRateIncrease is null && guardrails.MaxP95LatencyRatio is null && guardrails.MaxFindingsRateIncrease is null)
        {
            sink.Add(path, "guardrails without a limit never halt: set maxErrorRateIncrease, maxP95LatencyRatio or maxFindingsRateIncrease");
        }
    }

    private static void Rate(double? points, string path, ErrorSink sink)
    {
        if (points is { } value && !(value is >= 0 and <= 100))
        {
            sink.Add(path, "must be percentage points from 0 to 100");
        }
    }
}

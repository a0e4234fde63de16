using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.Governance.Policy.Loading;

/// <summary>Checks of the <c>waf</c> section that the schema cannot express.</summary>
internal static class WafValidation
{
    public static void Check(WafSpec? waf, ErrorSink sink)
    {
        if (waf is null)
        {
            return;
        }

        ParanoiaLevel(waf.ParanoiaLevel, "/spec/waf/paranoiaLevel", sink);
        Threshold(waf.InboundAnomalyThreshold, "/spec/waf/inboundAnomalyThreshold", sink);
        Threshold(waf.OutboundAnomalyThreshold, "/spec/waf/outboundAnomalyThreshold", sink);
        for (var i = 0; i < waf.Paths.Count; i++)
        {
            var at = $"/spec/waf/paths/{i}";
            var path = waf.Paths[i];
            if (path.Paths.Count == 0)
            {
                sink.Add($"{at}/paths", "list at least one path pattern");
            }

            MatchValidation.NonEmpty(path.Paths, $"{at}/paths", sink);
            if (path.ParanoiaLevel is { } level)
            {
                ParanoiaLevel(level, $"{at}/paranoiaLevel", sink);
            }

            for (var r = 0; r < path.DisabledRules.Count; r++)
            {
                if (path.DisabledRules[r] <= 0)
                {
                    sink.Add($"{at}/disabledRules/{r}", $"{path.DisabledRules[r]} is not a rule id; rule ids are positive");
                }
            }
        }
    }

    private static void ParanoiaLevel(int level, string at, ErrorSink sink)
    {
        if (level is < 1 or > 4)
        {
            sink.Add(at, $"paranoia level {level} does not exist; use 1 (fewest false positives) to 4");
        }
    }

    private static void Threshold(int? threshold, string at, ErrorSink sink)
    {
        if (threshold is <= 0)
        {
            sink.Add(at, $"an anomaly threshold of {threshold} would block every request; use 1 or more (CRS default 5 inbound, 4 outbound)");
        }
    }
}

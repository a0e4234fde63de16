using System.Globalization;
using EnvoyGovern.Governance.Canary;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtAuthz.Canary;

/// <summary>
/// Judges a canary's outcomes against stable's under its guardrails. Nothing is judged before the
/// canary has the minimum sample; stable with fewer counts as perfect (no errors, no findings), and
/// latency is then not judged, since there is nothing to compare with.
/// </summary>
internal static class Guardrails
{
    public static CanaryHalt? Judge(CanaryGuardrailsSpec limits, OutcomeWindow canary, OutcomeWindow stable, DateTimeOffset now)
    {
        if (canary.Count < limits.MinSamples)
        {
            return null;
        }

        var stableReady = stable.Count >= limits.MinSamples;
        if (limits.MaxErrorRateIncrease is { } errors && Exceeds(canary.ErrorRatePercent, stableReady ? stable.ErrorRatePercent : 0, errors))
        {
            return new CanaryHalt("error_rate", Rates("5xx", canary.ErrorRatePercent, stableReady ? stable.ErrorRatePercent : 0, errors, canary, stable), now);
        }

        if (limits.MaxFindingsRateIncrease is { } findings && Exceeds(canary.FindingsRatePercent, stableReady ? stable.FindingsRatePercent : 0, findings))
        {
            return new CanaryHalt("findings_rate", Rates("findings", canary.FindingsRatePercent, stableReady ? stable.FindingsRatePercent : 0, findings, canary, stable), now);
        }

        if (limits.MaxP95LatencyRatio is { } ratio && stableReady && canary.P95() is { } canaryP95 && stable.P95() is { } stableP95
            && canaryP95.TotalMilliseconds > stableP95.TotalMilliseconds * ratio)
        {
            var detail = string.Create(CultureInfo.InvariantCulture, $"p95 {Ms(canaryP95)} ms against stable's {Ms(stableP95)} ms (limit {ratio}x), over {canary.Count} and {stable.Count} responses");
            return new CanaryHalt("p95_latency", detail, now);
        }

        return null;
    }

    private static bool Exceeds(double canaryPercent, double stablePercent, double allowedPoints) => canaryPercent > stablePercent + allowedPoints;

    private static string Rates(string what, double canary, double stable, double points, OutcomeWindow canaryWindow, OutcomeWindow stableWindow) =>
        string.Create(CultureInfo.InvariantCulture, $"{what} rate {canary:0.##}% against stable's {stable:0.##}% (limit +{points} points), over {canaryWindow.Count} and {stableWindow.Count} responses");

    private static string Ms(TimeSpan value) => value == TimeSpan.MaxValue ? "inf" : value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
}

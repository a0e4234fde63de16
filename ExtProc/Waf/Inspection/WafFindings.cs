using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.ExtProc.Waf.Engine;

namespace EnvoyGovern.ExtProc.Waf.Inspection;

/// <summary>Turns rule matches into audit findings, never with the matched value in clear.</summary>
internal static class WafFindings
{
    public const string InspectorName = "waf";

    public static Finding From(RuleMatch match, HttpDirection direction, bool blocking)
    {
        var rule = match.Rule;
        return new Finding
        {
            Inspector = InspectorName,
            RuleId = rule.IdText,
            Message = match.Message ?? string.Empty,
            Category = rule.Tags.FirstOrDefault(t => t.StartsWith("attack-", StringComparison.Ordinal)) ?? rule.Tags.FirstOrDefault(),
            Severity = rule.Severity,
            Score = Score(rule.Severity),
            Direction = direction,
            Location = match.VariableName.Length == 0 ? null : Redact(match.VariableName, 64, keep: 64),
            Data = match.MatchedValue.Length == 0 ? null : Redact(match.MatchedValue, 24, keep: 3),
            Tags = rule.Tags,
            Blocking = blocking,
        };
    }

    public static Finding Limit(string detail, HttpDirection direction, bool blocking) => new()
    {
        Inspector = InspectorName,
        RuleId = "waf-limit",
        Message = "WAF evaluation stopped at its limit: " + detail,
        Category = "waf-limit",
        Direction = direction,
        Blocking = blocking,
    };

    /// <summary>
    /// Keeps the first <paramref name="keep"/> characters (printable ASCII only), masks the rest up to
    /// <paramref name="max"/> and states the length: enough to recognise an attack pattern, not enough to
    /// leak a secret that happened to match.
    /// </summary>
    public static string Redact(string value, int max, int keep)
    {
        var shown = Math.Min(keep, value.Length);
        var masked = Math.Min(max, value.Length) - shown;
        var builder = new System.Text.StringBuilder(max + 24);
        for (var i = 0; i < shown; i++)
        {
            var c = value[i];
            builder.Append(c is >= ' ' and < (char)0x7f ? c : '?');
        }

        builder.Append('*', Math.Max(0, masked));
        if (value.Length > shown)
        {
            builder.Append(System.FormattableString.Invariant($" ({value.Length} bytes)"));
        }

        return builder.ToString();
    }

    // The CRS anomaly score of one match at each severity (tx.critical_anomaly_score and friends).
    private static int? Score(string? severity) => severity switch
    {
        "CRITICAL" => 5,
        "ERROR" => 4,
        "WARNING" => 3,
        "NOTICE" => 2,
        _ => null,
    };
}

using System.ComponentModel.DataAnnotations;

namespace EnvoyGovern.ExtProc.Waf.Inspection;

/// <summary>Where the WAF rules come from and its limits (configuration section <c>Waf</c>).</summary>
public sealed class WafOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Waf";

    /// <summary>
    /// An OWASP CRS installation (<c>crs-setup.conf</c> and <c>rules/</c>), e.g. <c>Waf__CrsDirectory=/etc/crs</c>.
    /// Empty: the built-in rules (SQL injection, XSS, path traversal).
    /// </summary>
    public string? CrsDirectory { get; set; }

    /// <summary>The user's SecLang files loaded before the CRS rules (ctl-based exclusions).</summary>
    public IList<string> BeforeCrs { get; } = [];

    /// <summary>The user's SecLang files loaded after the CRS rules (SecRuleRemoveById and friends).</summary>
    public IList<string> AfterCrs { get; } = [];

    /// <summary>
    /// How often the rule files are checked for changes (content hash; a change reloads them, and rules
    /// that fail to load leave the old ones active). Zero or less: never.
    /// </summary>
    public TimeSpan ReloadPollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Match timeout of one regular expression on one value.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan RegexTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Time budget of one exchange's rule evaluation, inside Envoy's ext_proc <c>message_timeout</c> (200 ms
    /// in the sample). Beyond it evaluation stops and the policy decides: blocking mode rejects the request
    /// (fail closed), detection-only lets it pass; both are audited.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan EvaluationTimeout { get; set; } = TimeSpan.FromMilliseconds(150);
}

using System.Text.RegularExpressions;
using EnvoyGovern.ExtProc.Waf.Engine;
using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.ExtProc.Waf.Transformations;

namespace EnvoyGovern.ExtProc.Waf.Rules;

/// <summary>What a matching rule does to the transaction.</summary>
internal enum Disruptive
{
    None,
    Pass,
    Block,
    Deny,
    Drop,
    Redirect,
    Allow,
}

/// <summary>One element of a rule's variable list: <c>ARGS</c>, <c>ARGS:id</c>, <c>ARGS:/^x/</c>, <c>&amp;ARGS</c> or <c>!ARGS:id</c>.</summary>
internal sealed record RuleTarget(Variable Variable, string? Key, Regex? KeyRegex, bool Count, bool Exclusion)
{
    // A key pattern that is a plain name, anchored at the start or not (920450's TX:/^header_name_920450_/, which is
    // tested against every TX key on every request; !REQUEST_COOKIES:/__utm/): compared as text on an ASCII key, where
    // the pattern's case-insensitive match and an ordinal one ignoring case agree.
    private readonly Regex? _keyRegex = KeyRegex;
    private readonly (string Text, bool Anchored)? _keyLiteral = KeyLiteral(KeyRegex);

    /// <summary>The key pattern (<c>ARGS:/^x/</c>), null for a plain key or none.</summary>
    public Regex? KeyRegex
    {
        get => _keyRegex;
        init => (_keyRegex, _keyLiteral) = (value, KeyLiteral(value));
    }

    public bool Selects(string key)
    {
        if (KeyRegex is null)
        {
            return Key is null || string.Equals(Key, key, StringComparison.OrdinalIgnoreCase);
        }

        if (_keyLiteral is var (text, anchored) && System.Text.Ascii.IsValid(key))
        {
            return anchored ? key.StartsWith(text, StringComparison.OrdinalIgnoreCase) : key.Contains(text, StringComparison.OrdinalIgnoreCase);
        }

        return KeyRegex.IsMatch(key);
    }

    private static (string, bool)? KeyLiteral(Regex? regex)
    {
        if (regex is null || !regex.Options.HasFlag(RegexOptions.IgnoreCase))
        {
            return null;
        }

        var pattern = regex.ToString();
        var anchored = pattern.StartsWith('^');
        var text = anchored ? pattern[1..] : pattern;
        return text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? (text, anchored) : null;
    }

    public override string ToString() =>
        (Exclusion ? "!" : Count ? "&" : string.Empty) + Variables.Name(Variable) + (Key is null && KeyRegex is null ? string.Empty : ":" + (KeyRegex?.ToString() ?? Key));
}

/// <summary>
/// A compiled SecRule, SecAction or SecMarker. Mutable while the ruleset is built (SecRuleUpdate* directives
/// edit it), then shared read-only by every transaction.
/// </summary>
internal sealed class Rule
{
    public int Id { get; set; }

    public int Phase { get; set; } = 2;

    public required string File { get; init; }

    public int Line { get; init; }

    /// <summary>Set for SecMarker entries, which only mark a skipAfter destination.</summary>
    public string? Marker { get; init; }

    public List<RuleTarget> Targets { get; } = [];

    public List<RuleTarget> Exclusions { get; } = [];

    /// <summary>
    /// Rules with the same targets and exclusions over variables that cannot change within a phase share
    /// this number, and a phase collects their values once; -1 when the values must be collected per rule.
    /// Set when the <see cref="RuleSet"/> is built.
    /// </summary>
    public int TargetSet { get; set; } = -1;

    /// <summary>
    /// The variables of <see cref="Targets"/> as bits (one per <see cref="Variable"/>), for the per-rule check of the
    /// ctl target removals. Set when the <see cref="RuleSet"/> is built.
    /// </summary>
    public UInt128 ReadVariables { get; set; }

    /// <summary>
    /// The rule's one target when it reads a single TX entry by key (or counts it), excludes nothing and transforms
    /// nothing: the engine reads that value directly (see WafTransaction.EvaluateSingleKey). Set when the
    /// <see cref="RuleSet"/> is built.
    /// </summary>
    public RuleTarget? SingleKey { get; set; }

    /// <summary>True when a target of the rule reads <paramref name="variable"/>.</summary>
    public bool Reads(Variable variable) => (ReadVariables & (UInt128.One << (int)variable)) != UInt128.Zero;

    /// <summary>Null for SecAction (always matches).</summary>
    public WafOperator? Operator { get; set; }

    public bool Negated { get; set; }

    public TransformChain Transforms { get; set; } = TransformChain.None;

    public bool HasTransformNone { get; set; }

    public List<string> TransformNames { get; } = [];

    public bool MultiMatch { get; set; }

    public bool Capture { get; set; }

    /// <summary>Has the <c>chain</c> action: <see cref="Chained"/> must match too.</summary>
    public bool IsChain { get; set; }

    public Rule? Chained { get; set; }

    /// <summary>The first rule of the chain this rule belongs to (itself for a chain starter).</summary>
    public Rule? Parent { get; set; }

    public Disruptive Disruptive { get; set; }

    public int Status { get; set; }

    public string? AllowScope { get; set; }

    public bool? Log { get; set; }

    public bool? AuditLog { get; set; }

    public Macro? Message { get; set; }

    public Macro? LogData { get; set; }

    public List<string> Tags { get; } = [];

    public string? Severity { get; set; }

    public string? Version { get; set; }

    public List<RuleAction> Actions { get; } = [];

    public string? SkipAfter { get; set; }

    public int Skip { get; set; }

    public string IdText => Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public bool HasTag(string tag)
    {
        foreach (var t in Tags)
        {
            if (string.Equals(t, tag, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => Marker is not null ? $"SecMarker {Marker}" : $"rule {Id} ({File}:{Line})";
}

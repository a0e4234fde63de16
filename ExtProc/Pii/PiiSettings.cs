using System.Text;
using System.Text.RegularExpressions;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtProc.Pii;

/// <summary>The personal data part of a host's inspection policy, compiled: the scanner, and per entity its action and mask.</summary>
internal sealed class PiiSettings
{
    private readonly PiiAction[] _actions;
    private readonly byte[][] _masks;
    private readonly string[] _ruleIds;
    private readonly PiiAction[] _patternActions;
    private readonly byte[][] _patternMasks;
    private readonly string[] _patternRuleIds;

    public PiiSettings(PiiSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Requests = spec.Requests;
        Responses = spec.Responses;
        var count = (int)PiiEntity.Custom;
        _actions = new PiiAction[count];
        _masks = new byte[count][];
        _ruleIds = new string[count];
        foreach (var entity in PiiEntities.BuiltIn)
        {
            var name = PiiEntities.SnakeName(entity);
            _actions[(int)entity] = spec.Entities.TryGetValue(PiiEntities.PolicyName(entity), out var action) ? action : spec.Action;
            _masks[(int)entity] = Encoding.UTF8.GetBytes($"[{name.ToUpperInvariant()}]");
            _ruleIds[(int)entity] = $"pii.{name}";
        }

        var patterns = spec.Patterns.Where(p => p.Action != PiiAction.Off).ToList();
        _patternActions = [.. patterns.Select(p => p.Action)];
        _patternMasks = [.. patterns.Select(p => Encoding.UTF8.GetBytes(p.Mask ?? $"[{p.Name.ToUpperInvariant()}]"))];
        _patternRuleIds = [.. patterns.Select(p => $"pii.custom.{p.Name}")];
        var compiled = patterns
            .Select(p => new CustomPiiPattern(p.Name, new Regex(p.Pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)), p.MaxLength))
            .ToList();
        Scanner = new PiiScanner(PiiEntities.BuiltIn.Where(e => _actions[(int)e] != PiiAction.Off), compiled);
        MayRedact = _actions.Contains(PiiAction.Redact) || _patternActions.Contains(PiiAction.Redact);
    }

    /// <summary>Inspect request bodies.</summary>
    public bool Requests { get; }

    /// <summary>Inspect response bodies.</summary>
    public bool Responses { get; }

    /// <summary>Finds the entities that are not off.</summary>
    public PiiScanner Scanner { get; }

    /// <summary>True when some entity is redacted (bodies may change, so encoded streams are encoded again).</summary>
    public bool MayRedact { get; }

    /// <summary>True when this direction's bodies are inspected.</summary>
    public bool Inspects(Inspection.HttpDirection direction) => direction == Inspection.HttpDirection.Request ? Requests : Responses;

    public PiiAction ActionFor(in PiiMatch match) =>
        match.Entity == PiiEntity.Custom ? _patternActions[match.Pattern] : _actions[(int)match.Entity];

    public ReadOnlySpan<byte> MaskFor(in PiiMatch match) =>
        match.Entity == PiiEntity.Custom ? _patternMasks[match.Pattern] : _masks[(int)match.Entity];

    /// <summary>The finding's rule id: <c>pii.email</c>, <c>pii.custom.employee_id</c>.</summary>
    public string RuleId(in PiiMatch match) =>
        match.Entity == PiiEntity.Custom ? _patternRuleIds[match.Pattern] : _ruleIds[(int)match.Entity];
}

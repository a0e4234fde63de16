using System.Text.RegularExpressions;
using Envoy.Config.Common.MutationRules.V3;

namespace EnvoyGovern.Conformance.Headers;

/// <summary>What Envoy's mutation checker decides for one header change.</summary>
public enum MutationDecision
{
    /// <summary>Applied.</summary>
    Allowed,

    /// <summary>Silently dropped (counted in <c>rejected_header_mutations</c>).</summary>
    Ignored,

    /// <summary>Fails the request (<c>disallow_is_error</c>).</summary>
    Failed,
}

/// <summary>
/// Envoy's <c>MutationRules::Checker</c> for ext_proc: by default sets of <c>host</c>,
/// <c>:authority</c>, <c>:method</c>, <c>:scheme</c> and <c>x-envoy-*</c> are ignored, and removals
/// of pseudo-headers and <c>host</c> are never done.
/// </summary>
public sealed class MutationRuleChecker
{
    private readonly HeaderMutationRules _rules;
    private readonly Regex? _allow;
    private readonly Regex? _disallow;

    /// <summary>Creates a checker; <paramref name="rules"/> null means Envoy's defaults.</summary>
    public MutationRuleChecker(HeaderMutationRules? rules)
    {
        _rules = rules ?? new HeaderMutationRules();
        _allow = ToRegex(_rules.AllowExpression?.Regex);
        _disallow = ToRegex(_rules.DisallowExpression?.Regex);
    }

    /// <summary>Decision for setting or appending <paramref name="name"/>.</summary>
    public MutationDecision CheckSet(string name) => IsAllowed(name.ToLowerInvariant()) ? MutationDecision.Allowed : Refused();

    /// <summary>Decision for removing <paramref name="name"/>.</summary>
    public MutationDecision CheckRemove(string name)
    {
        if (!HeaderRules.IsRemovable(name))
        {
            return MutationDecision.Ignored;
        }

        return CheckSet(name);
    }

    private MutationDecision Refused() => _rules.DisallowIsError == true ? MutationDecision.Failed : MutationDecision.Ignored;

    private bool IsAllowed(string name)
    {
        if (_disallow?.IsMatch(name) == true)
        {
            return false;
        }

        if (_allow?.IsMatch(name) == true)
        {
            return true;
        }

        if (_rules.DisallowAll == true)
        {
            return false;
        }

        if (_rules.AllowAllRouting != true && HeaderRules.IsRoutingHeader(name))
        {
            return false;
        }

        if (_rules.DisallowSystem == true && HeaderRules.IsPseudo(name))
        {
            return false;
        }

        return _rules.AllowEnvoy == true || !HeaderRules.IsEnvoyHeader(name);
    }

    // RE2 full-match semantics; .NET syntax is close enough for header-name patterns.
    private static Regex? ToRegex(string? pattern) =>
        string.IsNullOrEmpty(pattern) ? null : new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}

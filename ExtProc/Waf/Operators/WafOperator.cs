using EnvoyGovern.ExtProc.Waf.Engine;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>A SecLang operator (<c>@rx</c>, <c>@pm</c> ...), compiled once at load and shared by all transactions.</summary>
internal abstract class WafOperator
{
    /// <summary>
    /// Test hook: when set, every value a prefilter (an <c>@rx</c> literal prefilter or a <see cref="Gate"/>)
    /// rejects is also given to the operator itself, and a value it matches (a prefilter bug, which would hide an
    /// attack) is reported here.
    /// </summary>
    internal static Action<WafOperator, string>? PrefilterAudit { get; set; }

    /// <summary>The operator name without <c>@</c>, for diagnostics.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// A necessary condition on the chars of a value, checked by the engine against the value's cached char mask
    /// before <see cref="Evaluate"/>; null when the operator has none.
    /// </summary>
    public CharGate? Gate { get; protected init; }

    /// <summary>
    /// A necessary condition that applies only to values without some chars, checked by the engine against the value
    /// and its cached char mask before <see cref="Evaluate"/>; null when the operator has none (yet: an <c>@rx</c>
    /// gets it with its compiled regex, off the load's critical path).
    /// </summary>
    public ConditionalPrefilter? Conditional
    {
        get => Volatile.Read(ref _conditional);
        protected set => Volatile.Write(ref _conditional, value);
    }

    private ConditionalPrefilter? _conditional;

    /// <summary>True when the (transformed) input matches. With <paramref name="capture"/>, sets TX.0..TX.9.</summary>
    public abstract bool Evaluate(WafTransaction transaction, string input, bool capture);

    /// <summary>A prefilter rejected <paramref name="input"/>: in the tests, report it if the operator matches all the same.</summary>
    public void AuditRejected(string input)
    {
        if (PrefilterAudit is { } audit && MatchesUnfiltered(input))
        {
            audit(this, input);
        }
    }

    /// <summary>The operator's answer without any prefilter, for <see cref="PrefilterAudit"/>.</summary>
    internal virtual bool MatchesUnfiltered(string input) => false;
}

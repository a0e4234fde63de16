using EnvoyGovern.ExtProc.Waf.Engine;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>A SecLang operator (<c>@rx</c>, <c>@pm</c> ...), compiled once at load and shared by all transactions.</summary>
internal abstract class WafOperator
{
    /// <summary>The operator name without <c>@</c>, for diagnostics.</summary>
    public abstract string Name { get; }

    /// <summary>True when the (transformed) input matches. With <paramref name="capture"/>, sets TX.0..TX.9.</summary>
    public abstract bool Evaluate(WafTransaction transaction, string input, bool capture);
}

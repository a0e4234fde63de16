using System.Text.RegularExpressions;
using EnvoyGovern.ExtProc.Waf.Engine;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>
/// <c>@rx</c>: a PCRE pattern translated to .NET (see <see cref="PcreTranslator"/>) with a match timeout.
/// A pattern starts on the interpreted backtracking engine, so a ruleset loads fast (the linear engine
/// costs seconds to construct for the whole CRS); <see cref="Compile"/>, run in the background after a
/// load, swaps in the non-backtracking engine (linear time: no ReDoS) wherever the pattern allows it, and
/// the compiled backtracking engine for the few that need lookarounds, back references or atomic groups.
/// All forms match the same strings; until the swap, the match timeout bounds a pathological input.
/// </summary>
internal sealed class RxOperator : WafOperator
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Singleline;
    private readonly string _translated;
    private readonly TimeSpan _timeout;
    private volatile Regex _regex;

    public RxOperator(string pattern, TimeSpan timeout)
    {
        Pattern = pattern;
        _translated = PcreTranslator.Translate(pattern);
        _timeout = timeout;
        _regex = new Regex(_translated, Options, timeout);
    }

    public override string Name => "rx";

    public string Pattern { get; }

    public bool IsCompiled { get; private set; }


    /// <summary>
    /// Swaps in the linear engine where the pattern allows it, else the compiled backtracking engine;
    /// idempotent, safe to race with matching.
    /// </summary>
    public void Compile()
    {
        if (IsCompiled)
        {
            return;
        }

        try
        {
            _regex = new Regex(_translated, Options | RegexOptions.NonBacktracking, _timeout);
            IsLinear = true;
        }
        catch (NotSupportedException)
        {
            _regex = new Regex(_translated, Options | RegexOptions.Compiled, _timeout);
        }

        IsCompiled = true;
    }

    /// <summary>True when the pattern runs on the non-backtracking engine.</summary>
    public bool IsLinear { get; private set; }

    public override bool Evaluate(WafTransaction transaction, string input, bool capture)
    {
        if (!capture)
        {
            return _regex.IsMatch(input);
        }

        var match = _regex.Match(input);
        if (!match.Success)
        {
            return false;
        }

        var groups = match.Groups;
        for (var i = 0; i < 10; i++)
        {
            if (i < groups.Count && groups[i].Success)
            {
                transaction.SetCapture(i, groups[i].Value);
            }
            else
            {
                transaction.ClearCapture(i);
            }
        }

        return true;
    }
}

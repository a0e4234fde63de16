using System.Text.RegularExpressions;
using EnvoyGovern.ExtProc.Waf.Engine;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>
/// <c>@rx</c>: a PCRE pattern translated to .NET (see <see cref="PcreTranslator"/>) with a match timeout.
/// Patterns run on .NET's non-backtracking engine (linear time: no ReDoS) whenever they can; the few
/// that need backtracking (lookarounds, back references, atomic groups from possessive quantifiers) start
/// interpreted, so a ruleset loads fast, and <see cref="Compile"/> (run in the background after load)
/// swaps in their compiled form. Both forms match the same strings.
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
        try
        {
            // Linear time from the first request: no backtracking window before Compile runs.
            _regex = new Regex(_translated, Options | RegexOptions.NonBacktracking, timeout);
            IsLinear = true;
            IsCompiled = true;
        }
        catch (NotSupportedException)
        {
            _regex = new Regex(_translated, Options, timeout);
        }
    }

    public override string Name => "rx";

    public string Pattern { get; }

    public bool IsCompiled { get; private set; }


    /// <summary>
    /// Replaces an interpreted backtracking regex (a pattern with back references, lookarounds or atomic
    /// groups, which the linear engine cannot run) by its compiled form; idempotent, safe to race with matching.
    /// </summary>
    public void Compile()
    {
        if (IsCompiled)
        {
            return;
        }

        _regex = new Regex(_translated, Options | RegexOptions.Compiled, _timeout);
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

using System.Diagnostics;
using EnvoyGovern.ExtProc.Waf.Rules;
using EnvoyGovern.ExtProc.Waf.SecLang;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.ExtProc.Waf.Inspection;

/// <summary>
/// Holds the active ruleset: loaded at start (a ruleset that does not load stops the service: fail
/// closed), swapped whole by <see cref="Reload"/>, which keeps the old one when the new one fails. A loaded
/// ruleset is warmed up with ordinary exchanges before it serves (<see cref="RuleSetWarmUp"/>); then its regexes
/// are compiled in the background (matching meanwhile uses their interpreted form) and warmed up again.
/// </summary>
internal sealed class WafRuleSetProvider
{
    private readonly WafOptions _options;
    private readonly WafMetrics _metrics;
    private readonly ILogger<WafRuleSetProvider> _logger;
    private RuleSet _current;

    public WafRuleSetProvider(IOptions<WafOptions> options, WafMetrics metrics, ILogger<WafRuleSetProvider> logger)
    {
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _current = Load();
    }

    public RuleSet Current => Volatile.Read(ref _current);

    /// <summary>Loads the rules again (after a CRS update); false when they fail and the old ones stay.</summary>
    public bool Reload()
    {
        try
        {
            Volatile.Write(ref _current, Load());
            return true;
        }
        catch (WafRuleException ex)
        {
            _metrics.Rejected();
            WafLog.RulesRejected(_logger, Source, ex);
            return false;
        }
    }

    private string Source => string.IsNullOrEmpty(_options.CrsDirectory) ? "built-in rules" : _options.CrsDirectory;

    private RuleSet Load()
    {
        var start = Stopwatch.GetTimestamp();
        var rules = WafRuleLoader.Load(new WafRuleSources
        {
            CrsDirectory = string.IsNullOrEmpty(_options.CrsDirectory) ? null : _options.CrsDirectory,
            BeforeCrs = [.. _options.BeforeCrs],
            AfterCrs = [.. _options.AfterCrs],
            RegexTimeout = _options.RegexTimeout,
        });
        var elapsed = (long)Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        WafLog.RulesLoaded(_logger, Source, rules.RuleCount, elapsed);
        WarmUp(rules);
        _metrics.Loaded(rules.RuleCount);
        _ = Task.Run(() =>
        {
            var compileStart = Stopwatch.GetTimestamp();
            rules.CompileRegexes();
            var compiled = (long)Stopwatch.GetElapsedTime(compileStart).TotalMilliseconds;
            WafLog.RegexesCompiled(_logger, rules.Regexes.Count, compiled);
            WarmUp(rules, compiled: true);
        });
        return rules;
    }

    // Before the rules serve (at start, before the service listens; on reload, before the swap), so that no request
    // pays for the cold engine; and again once compilation swapped every regex for a new engine, each exercised on its
    // own (RxOperator): the exchanges reach what only a whole evaluation does (the shared conditional searches, the
    // linear engines' states for transformed values; `waf-first`, measured with every probe through every engine: first
    // requests 2-8 ms without this second run, 1.4-2.3 ms with it).
    // A failure here is a bug to see in the log, not a reason to refuse rules that loaded.
    private void WarmUp(RuleSet rules, bool compiled = false)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            RuleSetWarmUp.Run(rules);
            var elapsed = (long)Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (compiled)
            {
                WafLog.WarmedUpCompiled(_logger, elapsed);
            }
            else
            {
                WafLog.WarmedUp(_logger, elapsed);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            WafLog.WarmUpFailed(_logger, ex);
        }
    }
}

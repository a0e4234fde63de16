using System.Diagnostics;
using EnvoyGovern.ExtProc.Waf.Rules;

namespace EnvoyGovern.ExtProc.Waf.Engine;

/// <summary>A rule that matched in a transaction (a chain counts once, under its first rule).</summary>
internal sealed record RuleMatch(Rule Rule, int Phase, string? Message, string? LogData, string VariableName, string MatchedValue, bool Logged, bool Disruptive);

/// <summary>The transaction was stopped by a disruptive action (deny, drop, redirect) in blocking mode.</summary>
internal sealed record Interruption(int Status, Rule? Rule, string Reason);

/// <summary>Evaluation exceeded the time limit (a regex timeout or the transaction deadline).</summary>
internal sealed class WafLimitExceededException(string message) : Exception(message);

/// <summary>
/// One HTTP exchange evaluated against a <see cref="RuleSet"/>: the variables, TX state, matches and the
/// outcome. Text is Latin-1: every input byte is one char, so byte-oriented patterns match exactly.
/// Not thread-safe; an ext_proc stream is sequential.
/// </summary>
internal sealed partial class WafTransaction
{
    private static readonly string[] CaptureKeys = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    // Rented for the exchange and given back by Release (TransactionCollections); empty after that, so a late use fails.
    private EntryList[] _collections;
    private List<RuleMatch>? _matches;
    private List<RuleIdRange>? _removedRanges;
    private List<string>? _removedTags;
    private List<(RuleIdRange? Range, string? Tag, RuleTarget Target)>? _removedTargets;
    private long _deadline = long.MaxValue;

    public WafTransaction(RuleSet ruleSet, string id, RuleEngineMode? mode = null)
    {
        RuleSet = ruleSet;
        Mode = mode ?? ruleSet.Settings.Mode;
        RequestBodyAccess = ruleSet.Settings.RequestBodyAccess;
        _collections = TransactionCollections.Rent();
        Scalar(Variable.UniqueId, id);
        Scalar(Variable.ReqbodyError, "0");
        Scalar(Variable.UrlencodedError, "0");
        Scalar(Variable.InboundDataError, "0");
        Scalar(Variable.OutboundDataError, "0");
        Scalar(Variable.HighestSeverity, "255");
        _now = DateTimeOffset.UtcNow;
        _pending = Deferred.Time | Deferred.TimeEpoch;
        Started = Stopwatch.GetTimestamp();
    }

    public RuleSet RuleSet { get; }

    public RuleEngineMode Mode { get; private set; }

    public bool RequestBodyAccess { get; set; }

    /// <summary>Set by <c>ctl:requestBodyProcessor</c>; REQBODY_PROCESSOR shows it.</summary>
    public string? RequestBodyProcessor
    {
        get => _collections[(int)Variable.ReqbodyProcessor].Count > 0 ? _collections[(int)Variable.ReqbodyProcessor][0].Value : null;
        set => Scalar(Variable.ReqbodyProcessor, value ?? string.Empty);
    }

    public bool ForceRequestBodyVariable { get; set; }

    public long Started { get; }

    /// <summary>Set when a disruptive action stopped the exchange.</summary>
    public Interruption? Interruption { get; private set; }

    /// <summary>Set when evaluation hit the time limit; the caller applies its policy (block or pass).</summary>
    public string? LimitExceeded { get; private set; }

    public IReadOnlyList<RuleMatch> Matches => (IReadOnlyList<RuleMatch>?)_matches ?? [];

    public string MatchedVar { get; private set; } = string.Empty;

    public string MatchedVarName { get; private set; } = string.Empty;

    public EntryList Collection(Variable variable) => Read(variable);

    /// <summary>
    /// Gives the transaction's collections back for reuse: call once the exchange ended and nothing reads the
    /// transaction any more (its matches stay readable; any other use afterwards throws).
    /// </summary>
    public void Release()
    {
        var lists = _collections;
        if (lists.Length == 0)
        {
            return;
        }

        _collections = [];
        TransactionCollections.Return(lists);
    }

    /// <summary>Caps the evaluation time of this transaction (checked between values and rules).</summary>
    public void SetTimeLimit(TimeSpan limit) =>
        _deadline = limit == Timeout.InfiniteTimeSpan ? long.MaxValue : Started + (long)(limit.TotalSeconds * Stopwatch.Frequency);

    public void SetEngine(string mode)
    {
        if (Enum.TryParse<RuleEngineMode>(mode, ignoreCase: true, out var parsed))
        {
            Mode = parsed;
        }
    }

    public void SetVariable(Variable variable, string key, string value) => _collections[(int)variable].Set(key, value);

    public void SetCapture(int index, string value) => _collections[(int)Variable.Tx].Set(CaptureKeys[index], value);

    public void ClearCapture(int index)
    {
        var tx = _collections[(int)Variable.Tx];
        if (tx.Get(CaptureKeys[index]) is not null)
        {
            tx.Remove(CaptureKeys[index]);
        }
    }

    public void RemoveRules(RuleIdRange range) => (_removedRanges ??= []).Add(range);

    public void RemoveRulesByTag(string tag) => (_removedTags ??= []).Add(tag);

    public void RemoveTarget(RuleIdRange? range, string? tag, RuleTarget target) => (_removedTargets ??= []).Add((range, tag, target));

    /// <summary>The first value of a variable (a macro reference such as <c>%{tx.score}</c>), or empty.</summary>
    public string ResolveFirst(Variable variable, string? key)
    {
        switch (variable)
        {
            case Variable.MatchedVar:
                return MatchedVar;
            case Variable.MatchedVarName:
                return MatchedVarName;
            case Variable.Rule:
                return RuleProperty(key);
            default:
                var list = Read(variable);
                if (key is null)
                {
                    return list.Count > 0 ? list[0].Value : string.Empty;
                }

                return list.Get(key) ?? string.Empty;
        }
    }

    private Rule? _currentRule;

    private string RuleProperty(string? key) => key?.ToLowerInvariant() switch
    {
        "id" => _currentRule?.IdText ?? string.Empty,
        "msg" => _currentRule?.Parent?.Message?.Text ?? string.Empty,
        "severity" => _currentRule?.Parent?.Severity ?? string.Empty,
        "ver" => _currentRule?.Parent?.Version ?? string.Empty,
        _ => string.Empty,
    };

    private void Scalar(Variable variable, string value)
    {
        if (_pending != Deferred.None)
        {
            _pending &= ~DeferredBit(variable);
        }

        var list = _collections[(int)variable];
        list.Clear();
        list.Add(string.Empty, value);
    }

    private bool IsRemoved(Rule rule)
    {
        if (_removedRanges is not null)
        {
            foreach (var range in _removedRanges)
            {
                if (range.Contains(rule.Id))
                {
                    return true;
                }
            }
        }

        if (_removedTags is not null)
        {
            foreach (var tag in _removedTags)
            {
                if (rule.HasTag(tag))
                {
                    return true;
                }
            }
        }

        return false;
    }
}

using EnvoyGovern.ExtProc.Waf.Engine;
using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.ExtProc.Waf.Rules;
using EnvoyGovern.ExtProc.Waf.SecLang;

namespace EnvoyGovern.Tests.Waf;

/// <summary>
/// Rules with the same targets share the values a phase collected once; that must never change what a
/// rule sees: not across transactions, not for a rule a ctl removed a target from, not for TX.
/// </summary>
public sealed class SharedTargetValuesTests
{
    private static RuleSet Rules(string text)
    {
        var builder = new RuleSetBuilder(TimeSpan.FromSeconds(1));
        builder.AddText("SecRuleEngine On\n" + text, "t.conf", ".");
        return builder.Build();
    }

    private static WafTransaction Run(RuleSet rules, string uri)
    {
        var transaction = new WafTransaction(rules, "t", RuleEngineMode.On);
        transaction.ProcessRequestHeaders(new RequestLine("GET", uri, "HTTP/1.1"), [new("host", "a.example.com")]);
        transaction.ProcessRequestBody();
        return transaction;
    }

    private static int[] Matched(WafTransaction transaction) => [.. transaction.Matches.Select(m => m.Rule.Id)];

    [Fact]
    public void TargetSet_SameTargetsAndExclusions_SharedOtherwiseNot()
    {
        var rules = Rules("""
            SecRule ARGS|!ARGS:a "@contains x" "id:1,phase:2,pass"
            SecRule ARGS|!ARGS:a "@contains y" "id:2,phase:2,pass"
            SecRule ARGS "@contains z" "id:3,phase:2,pass"
            SecRule TX:n "@eq 1" "id:4,phase:2,pass"
            """);
        var byId = rules.Phases[2].ToDictionary(r => r.Id);

        Assert.Equal(byId[1].TargetSet, byId[2].TargetSet);
        Assert.NotEqual(byId[1].TargetSet, byId[3].TargetSet);
        Assert.Equal(-1, byId[4].TargetSet);
        Assert.Equal(2, rules.TargetSetCount);
    }

    [Fact]
    public void MultiMatch_StagesSharedWithOtherRulesPipelines_EachStageEvaluated()
    {
        // ARGS:q is "%41b c": the stages are "Ab c" (urlDecodeUni), "ab c" (lowercase), "abc" (removeWhitespace).
        // Rule 1 caches the two-step pipeline first; multiMatch rule 2 reads its stages from that cache.
        var rules = Rules("""
            SecRule ARGS "@streq never" "id:1,phase:2,pass,t:none,t:urlDecodeUni,t:lowercase"
            SecRule ARGS "@streq Ab c" "id:2,phase:2,pass,multiMatch,t:none,t:urlDecodeUni,t:lowercase,t:removeWhitespace"
            SecRule ARGS "@streq ab c" "id:3,phase:2,pass,multiMatch,t:none,t:urlDecodeUni,t:lowercase,t:removeWhitespace"
            SecRule ARGS "@streq Ab c" "id:4,phase:2,pass,t:none,t:urlDecodeUni,t:lowercase,t:removeWhitespace"
            SecRule ARGS "@streq %41b c" "id:5,phase:2,pass,multiMatch,t:none,t:urlDecodeUni"
            SecRule ARGS "@streq xyz" "id:6,phase:2,pass,multiMatch,t:none,t:urlDecodeUni,t:lowercase,t:removeWhitespace"
            """);

        Assert.Equal([2, 3, 5], Matched(Run(rules, "/?q=%2541b%20c")));
    }

    [Fact]
    public void RunPhase_TwoTransactionsOnOneThread_EachSeesOnlyItsOwnValues()
    {
        var rules = Rules("""
            SecRule ARGS "@contains first" "id:1,phase:2,pass,log"
            SecRule ARGS "@contains second" "id:2,phase:2,pass,log"
            """);

        Assert.Equal([1], Matched(Run(rules, "/?q=first")));
        Assert.Equal([2], Matched(Run(rules, "/?q=second")));
        Assert.Empty(Matched(Run(rules, "/?q=neither")));
    }

    [Fact]
    public void RunPhase_CtlRemovedTargetForOneRule_OtherRuleWithSameTargetsStillSeesIt()
    {
        var rules = Rules("""
            SecRule REQUEST_URI "@contains /" "id:10,phase:1,pass,nolog,ctl:ruleRemoveTargetById=2;ARGS:q"
            SecRule ARGS "@contains evil" "id:1,phase:2,pass,log"
            SecRule ARGS "@contains evil" "id:2,phase:2,pass,log"
            SecRule ARGS "@contains evil" "id:3,phase:2,pass,log"
            """);

        Assert.Equal([1, 3], Matched(Run(rules, "/?q=evil")).Where(id => id != 10));
        Assert.Equal([1, 2, 3], Matched(Run(rules, "/?other=evil")).Where(id => id != 10));
    }

    [Fact]
    public void RunPhase_CtlRemovedTargetsByTag_RulesWithTheSameRemovalShareOthersKeepTheirs()
    {
        var rules = Rules("""
            SecRule REQUEST_URI "@contains /" "id:10,phase:1,pass,nolog,ctl:ruleRemoveTargetByTag=t;ARGS:q"
            SecRule REQUEST_URI "@contains /" "id:11,phase:1,pass,nolog,ctl:ruleRemoveTargetByTag=u;ARGS:r"
            SecRule ARGS "@contains evil" "id:1,phase:2,pass,log,tag:t"
            SecRule ARGS "@contains evil" "id:2,phase:2,pass,log"
            SecRule ARGS "@contains evil" "id:3,phase:2,pass,log,tag:t"
            SecRule ARGS "@contains evil" "id:4,phase:2,pass,log,tag:u"
            SecRule ARGS "@contains evil" "id:5,phase:2,pass,log,tag:t,tag:u"
            """);

        Assert.Equal([2, 4], Matched(Run(rules, "/?q=evil")).Where(id => id < 10));
        Assert.Equal([1, 2, 3], Matched(Run(rules, "/?r=evil")).Where(id => id < 10));
        Assert.Equal([1, 2, 3, 4, 5], Matched(Run(rules, "/?s=evil")).Where(id => id < 10));
    }

    [Fact]
    public void RunPhase_TxSetEarlierInPhase_LaterRuleSeesNewValue()
    {
        var rules = Rules("""
            SecAction "id:1,phase:2,pass,nolog,setvar:tx.n=1"
            SecRule TX:n "@eq 1" "id:2,phase:2,pass,log,setvar:tx.n=2"
            SecRule TX:n "@eq 2" "id:3,phase:2,pass,log"
            """);

        Assert.Equal([2, 3], Matched(Run(rules, "/")).Where(id => id != 1));
    }

    [Fact]
    public void Compile_LongPatternLinear_ShortPatternCompiledBacktracking_SameMatches()
    {
        var words = string.Join('|', Enumerable.Range(0, 400).Select(i => "word" + i));
        var longRx = new RxOperator($"(?i)\\b(?:{words})\\b", TimeSpan.FromSeconds(1));
        var shortRx = new RxOperator("(?i)\\bword7\\b", TimeSpan.FromSeconds(1));
        var transaction = new WafTransaction(Rules(string.Empty), "t", RuleEngineMode.On);
        string[] inputs = ["a WORD7 b", "word399", "sword7", "word400", string.Empty];
        var before = inputs.Select(i => (longRx.Evaluate(transaction, i, false), shortRx.Evaluate(transaction, i, false))).ToList();

        longRx.Compile();
        shortRx.Compile();

        Assert.True(longRx.IsLinear);
        Assert.False(shortRx.IsLinear);
        Assert.True(shortRx.IsCompiled);
        Assert.Equal(before, inputs.Select(i => (longRx.Evaluate(transaction, i, false), shortRx.Evaluate(transaction, i, false))));
        Assert.Equal([(true, true), (true, false), (false, false), (false, false), (false, false)], before);
    }

    [Fact]
    public void RunPhase_CharGates_RulesOnlyRejectValuesTheyCannotMatch()
    {
        // Rules 1-4 share ARGS: the union of its values' chars decides for the whole list when the gate rejects it;
        // the transformed values' chars count (rule 3 sees "<" only after urlDecodeUni); a negated rule matches
        // exactly when the gate rejects every value; @pm has a gate too.
        var rules = Rules("""
            SecRule ARGS "@rx <scr" "id:1,phase:2,pass"
            SecRule ARGS "@rx (?i)<SCRIPT" "id:2,phase:2,pass"
            SecRule ARGS "@rx <scr" "id:3,phase:2,pass,t:none,t:urlDecodeUni"
            SecRule ARGS "!@rx <scr" "id:4,phase:2,pass"
            SecRule ARGS "@pm /etc/passwd boot.ini" "id:5,phase:2,pass,t:none,t:lowercase"
            """);

        Assert.Equal([4], Matched(Run(rules, "/?a=lorem&b=ipsum&c=dolor")));
        Assert.Equal([1, 2, 3, 4], Matched(Run(rules, "/?a=lorem&b=%3CScript&c=x<scr")));
        Assert.Equal([3, 4], Matched(Run(rules, "/?a=lorem&b=%253Cscr")));
        Assert.Equal([4, 5], Matched(Run(rules, "/?a=lorem&f=/ETC/PASSWD")));
        Assert.Equal([4], Matched(Run(rules, "/?a=lorem&f=/etc/pass&g=wd")));
    }
}

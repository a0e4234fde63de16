using EnvoyGovern.ExtProc.Waf.Engine;
using EnvoyGovern.ExtProc.Waf.Rules;
using EnvoyGovern.ExtProc.Waf.SecLang;

namespace EnvoyGovern.Tests.Waf;

/// <summary>
/// A gated rule is skipped when the chars of its whole value list cannot pass the gate. The list's chars are
/// composed from parts the phase computes once (a variable held whole, values picked by key) and a rule that
/// reads one TX entry takes a shorter way; neither may change which rules match. Nor may the per-value cache
/// growing while a phase runs.
/// </summary>
public sealed class ListMaskTests
{
    private static RuleSet Rules(string text)
    {
        var builder = new RuleSetBuilder(TimeSpan.FromSeconds(1));
        builder.AddText("SecRuleEngine On\nSecRequestBodyAccess On\n" + text, "t.conf", ".");
        return builder.Build();
    }

    private static WafTransaction Post(RuleSet rules, string uri, string body, string userAgent = "curl/8", string host = "a.example.com")
    {
        var transaction = new WafTransaction(rules, "t", RuleEngineMode.On);
        transaction.ProcessRequestHeaders(
            new RequestLine("POST", uri, "HTTP/1.1"),
            [new("host", host), new("user-agent", userAgent), new("content-type", "application/x-www-form-urlencoded")]);
        transaction.AppendRequestBody(System.Text.Encoding.ASCII.GetBytes(body));
        transaction.ProcessRequestBody();
        return transaction;
    }

    private static int[] Matched(WafTransaction transaction) => [.. transaction.Matches.Select(m => m.Rule.Id)];

    [Fact]
    public void RunPhase_ListOfWholeVariableAndKeyedHeader_KeyedValueCounts()
    {
        // Rule 1 reads ARGS whole and computes its chars; rules 2 and 3 reuse them and add the one header's.
        var rules = Rules("""
            SecRule ARGS "@rx <scr" "id:1,phase:2,pass"
            SecRule ARGS|REQUEST_HEADERS:User-Agent "@rx <scr" "id:2,phase:2,pass"
            SecRule REQUEST_HEADERS:User-Agent|ARGS "@rx <scr" "id:3,phase:2,pass,t:none,t:lowercase"
            """);

        Assert.Equal([2, 3], Matched(Post(rules, "/?a=lorem", "b=ipsum", "x<scrIPT>")));
        Assert.Empty(Matched(Post(rules, "/?a=lorem", "b=ipsum")));
        Assert.Equal([1, 2, 3], Matched(Post(rules, "/?a=lorem", "b=<script>")));
    }

    [Fact]
    public void RunPhase_VariableInBothPhases_EachPhaseItsOwnValues()
    {
        // Phase 1's ARGS are the query's; phase 2's add the body's, with the only "<".
        var rules = Rules("""
            SecRule ARGS "@rx <scr" "id:1,phase:1,pass"
            SecRule ARGS "@rx <scr" "id:2,phase:2,pass"
            SecRule ARGS_NAMES|ARGS "@rx <scr" "id:3,phase:2,pass"
            """);

        Assert.Equal([2, 3], Matched(Post(rules, "/?a=lorem", "b=<script>")));
        Assert.Equal([1, 2, 3], Matched(Post(rules, "/?a=<script>", "b=ipsum")));
        Assert.Empty(Matched(Post(rules, "/?a=lorem", "b=ipsum")));
    }

    [Fact]
    public void RunPhase_ManyDistinctValuesGatedRuleWithoutTransformation_LastValueMatches()
    {
        // More distinct values than the phase's first char-mask table holds: it grows while the list's chars are read.
        var rules = Rules("""SecRule ARGS "@rx <scr" "id:1,phase:2,pass" """);
        var body = string.Join('&', Enumerable.Range(0, 150).Select(i => $"f{i}=value{i}")) + "&last=<script>";

        Assert.Equal([1], Matched(Post(rules, "/", body)));
        Assert.Empty(Matched(Post(rules, "/", body[..body.LastIndexOf('&')])));
    }

    [Fact]
    public void RunPhase_RulesReadingOneTxEntry_MatchAsOverAList()
    {
        var rules = Rules("""
            SecRule REQUEST_URI "@contains /" "id:10,phase:1,pass,nolog,setvar:tx.n=5,ctl:ruleRemoveTargetById=7;TX:n"
            SecRule TX:n "@lt 6" "id:1,phase:1,pass"
            SecRule TX:N "@gt 6" "id:2,phase:1,pass"
            SecRule &TX:n "@eq 1" "id:3,phase:1,pass"
            SecRule &TX:missing "@eq 0" "id:4,phase:1,pass"
            SecRule TX:missing "!@eq 1" "id:5,phase:1,pass"
            SecRule TX:n "!@eq 1" "id:6,phase:1,pass"
            SecRule TX:n "@eq 5" "id:7,phase:1,pass"
            SecRule TX:n "@eq 5" "id:8,phase:1,pass,setvar:tx.n=7"
            SecRule TX:n "@eq 7" "id:9,phase:1,pass"
            """);

        var transaction = Post(rules, "/", "a=b");

        Assert.Equal([1, 3, 4, 6, 8, 9], Matched(transaction).Where(id => id != 10));
        var first = transaction.Matches.Single(m => m.Rule.Id == 1);
        Assert.Equal(("TX:n", "5"), (first.VariableName, first.MatchedValue));
        var count = transaction.Matches.Single(m => m.Rule.Id == 4);
        Assert.Equal(("TX:missing", "0"), (count.VariableName, count.MatchedValue));
    }

    [Fact]
    public void RunPhase_CacheGrowsMidPhase_NextTransactionSeesNoneOfItsResults()
    {
        // The host's lowercased value is cached first; 150 distinct args then widen the cache, which must move that
        // result and still empty it when the phase ends: the next transaction's host takes the same slot.
        var rules = Rules("""
            SecRule REQUEST_HEADERS:Host "@contains first.example" "id:1,phase:2,pass,t:none,t:lowercase"
            SecRule ARGS "@contains evil" "id:2,phase:2,pass"
            """);
        var body = string.Join('&', Enumerable.Range(0, 150).Select(i => $"f{i}=value{i}"));

        Assert.Equal([1], Matched(Post(rules, "/", body, host: "FIRST.example.com")));
        Assert.Empty(Matched(Post(rules, "/", body, host: "second.example.com")));
        Assert.Equal([1, 2], Matched(Post(rules, "/", body + "&x=evil", host: "first.EXAMPLE.com")));
    }
}

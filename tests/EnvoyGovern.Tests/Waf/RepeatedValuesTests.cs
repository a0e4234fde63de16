using EnvoyGovern.ExtProc.Waf.Engine;
using EnvoyGovern.ExtProc.Waf.Rules;
using EnvoyGovern.ExtProc.Waf.SecLang;

namespace EnvoyGovern.Tests.Waf;

/// <summary>
/// Equal values share one slot of a phase's cache, and a rule skips a value equal to one it already found no match in.
/// That must never hide a match: every matching value still runs the rule's actions, and a value is evaluated again
/// once a match's actions may have changed what the operator compares with.
/// </summary>
public sealed class RepeatedValuesTests
{
    private static RuleSet Rules(string text)
    {
        var builder = new RuleSetBuilder(TimeSpan.FromSeconds(1));
        builder.AddText("SecRuleEngine On\n" + text, "t.conf", ".");
        return builder.Build();
    }

    private static int[] Matched(RuleSet rules, string uri)
    {
        var transaction = new WafTransaction(rules, "t", RuleEngineMode.On);
        transaction.ProcessRequestHeaders(new RequestLine("GET", uri, "HTTP/1.1"), [new("host", "a.example.com")]);
        transaction.ProcessRequestBody();
        return [.. transaction.Matches.Select(m => m.Rule.Id)];
    }

    [Fact]
    public void RunPhase_EqualMatchingValues_ActionsRunForEach()
    {
        var rules = Rules("""
            SecRule ARGS "@contains x" "id:1,phase:2,pass,t:none,t:lowercase,setvar:tx.n=+1"
            SecRule TX:n "@eq 3" "id:2,phase:2,pass"
            """);

        Assert.Equal([1, 2], Matched(rules, "/?a=X&b=y&c=X&d=X"));
    }

    [Fact]
    public void RunPhase_EqualLongValues_ShareASlotAndActionsRunForEach()
    {
        // Values past 256 chars are also keyed by instance: equal ones from different instances still share a slot.
        var rules = Rules("""
            SecRule ARGS "@contains x" "id:1,phase:2,pass,t:none,t:lowercase,setvar:tx.n=+1"
            SecRule TX:n "@eq 3" "id:2,phase:2,pass"
            SecRule TX:n "@eq 2" "id:3,phase:2,pass"
            """);
        var matching = new string('a', 300) + "X";
        var other = new string('b', 300);

        Assert.Equal([1, 2], Matched(rules, $"/?a={matching}&b={other}&c={matching}&d={matching}&e={other}"));
        Assert.Equal([1, 3], Matched(rules, $"/?a={other}&b={matching}&c={other}&d={matching}"));
    }

    [Fact]
    public void RunPhase_EqualValuesFirstNotMatching_SkippedOnlyWhileNothingMatched()
    {
        // Negated: "y" matches (it lacks x), each "x" does not; the second "y" must count although "y" came before.
        var rules = Rules("""
            SecRule ARGS "!@contains x" "id:1,phase:2,pass,setvar:tx.n=+1"
            SecRule TX:n "@eq 2" "id:2,phase:2,pass"
            """);

        Assert.Equal([1, 2], Matched(rules, "/?a=x&b=x&c=y&d=x&e=y"));
        Assert.Equal([1], Matched(rules, "/?a=x&b=x&c=y&d=x"));
    }

    [Fact]
    public void RunPhase_MatchChangesOperand_EqualValueEvaluatedAgain()
    {
        // "b" fails against "a"; "a" matches and sets the operand to "b"; the second "b", equal to the first, now matches.
        var rules = Rules("""
            SecAction "id:1,phase:2,pass,nolog,setvar:tx.want=a"
            SecRule ARGS "@streq %{tx.want}" "id:2,phase:2,pass,setvar:tx.want=b,setvar:tx.n=+1"
            SecRule TX:n "@eq 2" "id:3,phase:2,pass"
            """);

        Assert.Equal([1, 2, 3], Matched(rules, "/?p=b&q=a&r=b"));
    }

    [Fact]
    public void RunPhase_EqualValuesUnderDifferentVariables_EachReported()
    {
        // The name "v" (ARGS_NAMES) and the value "v" (ARGS) are equal strings: both match.
        var rules = Rules("""
            SecRule ARGS_NAMES|ARGS "@streq v" "id:1,phase:2,pass,setvar:tx.n=+1"
            SecRule TX:n "@eq 2" "id:2,phase:2,pass"
            """);

        Assert.Equal([1, 2], Matched(rules, "/?v=v"));
    }
}

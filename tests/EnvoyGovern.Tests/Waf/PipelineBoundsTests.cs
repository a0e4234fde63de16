using EnvoyGovern.ExtProc.Waf.Engine;
using EnvoyGovern.ExtProc.Waf.Rules;
using EnvoyGovern.ExtProc.Waf.SecLang;

namespace EnvoyGovern.Tests.Waf;

/// <summary>
/// The engine rules a value out by the bound of its pipeline's result before running the pipeline (see MaskBounds):
/// that must never hide a match that only the transformations reveal, for one value, for a whole list, for each
/// multiMatch stage, and for a value whose pipeline an earlier rule already ran.
/// </summary>
public sealed class PipelineBoundsTests
{
    // Its gate asks for '<', which each decoder can make from chars the gate does not ask for.
    private const string DecodingRule = """
        SecRule ARGS "@rx <script" "id:1,phase:2,pass,t:none,t:urlDecodeUni,t:htmlEntityDecode,t:jsDecode"
        """;

    private static RuleSet Rules(string text)
    {
        var builder = new RuleSetBuilder(TimeSpan.FromSeconds(1));
        builder.AddText("SecRuleEngine On\n" + text, "t.conf", ".");
        return builder.Build();
    }

    private static int[] Matched(RuleSet rules, string query)
    {
        var transaction = new WafTransaction(rules, "t", RuleEngineMode.On);
        transaction.ProcessRequestHeaders(new RequestLine("GET", "/p?" + query, "HTTP/1.1"), [new("host", "a.example.com")]);
        transaction.ProcessRequestBody();
        return [.. transaction.Matches.Select(m => m.Rule.Id)];
    }

    [Theory]
    [InlineData("a=plain+words&b=%253Cscript%253E")] // %3Cscript%3E after the query's own decoding: urlDecodeUni makes the <
    [InlineData("a=plain+words&b=%26lt%3Bscript%26gt%3B")] // &lt;script&gt;: htmlEntityDecode makes the <
    [InlineData("a=plain+words&b=%5Cx3cscript")] // \x3cscript: jsDecode makes the <
    public void RunPhase_DecodersMakeTheGatesChar_Matches(string query)
    {
        var rules = Rules(DecodingRule);

        Assert.Equal([1], Matched(rules, query));
    }

    [Fact]
    public void RunPhase_PlainValuesOnly_NoMatch()
    {
        var rules = Rules(DecodingRule);

        Assert.Empty(Matched(rules, "a=plain+words&b=more+words"));
    }

    [Theory]
    [InlineData("a=plain&b=PHNjcmlwdD4")] // base64 of <script>: only the decoded stage holds the <
    [InlineData("a=PHNj+cmlwdD4&b=plain")] // spaces removed first, then decoded
    public void RunPhase_MultiMatchStageAfterBase64_Matches(string query)
    {
        var rules = Rules("""
            SecRule ARGS "@rx <script" "id:1,phase:2,pass,t:none,t:removeWhitespace,t:base64Decode,multiMatch"
            """);

        Assert.Equal([1], Matched(rules, query));
    }

    [Fact]
    public void RunPhase_PipelineRunByAnEarlierRule_SameVerdicts()
    {
        // Rule 1 runs the pipeline for every value (no gate on @unconditionalMatch); rule 2 then sees cached results.
        var rules = Rules("""
            SecRule ARGS "@unconditionalMatch" "id:1,phase:2,pass,nolog,t:none,t:lowercase,t:urlDecodeUni"
            SecRule ARGS "@contains <x" "id:2,phase:2,pass,t:none,t:lowercase,t:urlDecodeUni"
            SecRule ARGS "@contains <y" "id:3,phase:2,pass,t:none,t:lowercase,t:urlDecodeUni"
            """);

        Assert.Equal([1, 2], Matched(rules, "a=plain&b=%253CX"));
    }

    [Fact]
    public void RunPhase_NegatedRuleOnPlainValue_MatchesWithoutTheGate()
    {
        // A negated rule matches where the operator does not: the bound must not stand in for it.
        var rules = Rules("""
            SecRule ARGS "!@rx <script" "id:1,phase:2,pass,t:none,t:urlDecodeUni"
            """);

        Assert.Equal([1], Matched(rules, "a=plain"));
    }
}

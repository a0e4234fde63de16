using System.Text;
using EnvoyGovern.ExtProc.Waf;
using EnvoyGovern.ExtProc.Waf.Engine;
using EnvoyGovern.ExtProc.Waf.Rules;
using EnvoyGovern.ExtProc.Waf.SecLang;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Waf;

public sealed class WafEngineTests
{
    private static readonly Lazy<RuleSet> BuiltIn = new(() => WafRuleLoader.Load(new WafRuleSources()));

    private static readonly Lazy<RuleSet> Crs = new(() => WafRuleLoader.Load(new WafRuleSources { CrsDirectory = RepoPaths.Crs }));

    private static WafTransaction Run(RuleSet rules, RuleEngineMode mode, string uri, string? body = null, string contentType = "application/x-www-form-urlencoded", TimeSpan? limit = null)
    {
        var transaction = new WafTransaction(rules, "test", mode);
        transaction.SetTimeLimit(limit ?? TimeSpan.FromSeconds(5));
        var headers = new List<KeyValuePair<string, string>> { new("host", "api.example.com"), new("user-agent", "test/1.0"), new("accept", "*/*") };
        if (body is not null)
        {
            headers.Add(new("content-type", contentType));
            headers.Add(new("content-length", Encoding.Latin1.GetByteCount(body).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        transaction.ProcessRequestHeaders(new RequestLine(body is null ? "GET" : "POST", uri, "HTTP/1.1"), headers);
        if (body is not null)
        {
            transaction.AppendRequestBody(Encoding.Latin1.GetBytes(body));
        }

        transaction.ProcessRequestBody();
        return transaction;
    }

    [Fact]
    public void BuiltInRules_SqlInjectionInQuery_Blocked()
    {
        var transaction = Run(BuiltIn.Value, RuleEngineMode.On, "/search?q=1%27%20OR%20%271%27=%271");

        Assert.NotNull(transaction.Interruption);
        Assert.Equal(403, transaction.Interruption.Status);
    }

    [Fact]
    public void BuiltInRules_SqlInjectionInDetectionOnly_LoggedNotBlocked()
    {
        var transaction = Run(BuiltIn.Value, RuleEngineMode.DetectionOnly, "/search?q=1%27%20OR%20%271%27=%271");

        Assert.Null(transaction.Interruption);
        Assert.Contains(transaction.Matches, m => m.Logged && m.Rule.Tags.Contains("attack-sqli"));
    }

    [Theory]
    [InlineData("/files?name=../../etc/passwd")]
    [InlineData("/p?x=%3Cscript%3Ealert(1)%3C/script%3E")]
    public void BuiltInRules_ObviousAttack_Blocked(string uri)
    {
        Assert.NotNull(Run(BuiltIn.Value, RuleEngineMode.On, uri).Interruption);
    }

    [Fact]
    public void BuiltInRules_OrdinaryRequest_Passes()
    {
        var transaction = Run(BuiltIn.Value, RuleEngineMode.On, "/v1/chat/completions?stream=true", "model=gpt-4o&prompt=hello+world");

        Assert.Null(transaction.Interruption);
        Assert.Empty(transaction.Matches);
    }

    [Fact]
    public void Crs_ParanoiaLevel1SqlInjection_AnomalyScoreBlocks()
    {
        var transaction = Run(Crs.Value, RuleEngineMode.On, "/", "id=1' UNION SELECT password FROM users--");

        Assert.Equal(949110, transaction.Interruption?.Rule?.Id);
        Assert.Contains(transaction.Matches, m => m.Rule.Id is >= 942000 and < 943000);
    }

    [Fact]
    public async Task Crs_MegabyteOfQuotes_FinishesWithinTheLimit()
    {
        var body = "a=" + new string('\'', 1024 * 1024);

        var transaction = await Task.Run(() => Run(Crs.Value, RuleEngineMode.On, "/", body, limit: TimeSpan.FromMilliseconds(500))).WaitAsync(TimeSpan.FromSeconds(30));

        // Either the rules decided (the quotes are an attack pattern) or the time limit stopped them;
        // the caller then applies the policy (WafGrpcTests covers block and pass).
        Assert.True(transaction.Interruption is not null || transaction.LimitExceeded is not null);
    }

    [Fact]
    public void Load_UntranslatablePattern_ErrorNamesFileLineAndRule()
    {
        var builder = new RuleSetBuilder(TimeSpan.FromSeconds(1));

        var error = Assert.Throws<WafRuleException>(() => builder.AddText("""
            SecRule ARGS "@rx a(?R)b" "id:1234,phase:2,deny"
            """, "custom.conf", "."));

        Assert.Contains("custom.conf:1", error.Message, StringComparison.Ordinal);
        Assert.Contains("rule 1234", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownOperator_Error()
    {
        var builder = new RuleSetBuilder(TimeSpan.FromSeconds(1));

        Assert.Throws<WafRuleException>(() => builder.AddText("SecRule ARGS \"@rbl example.org\" \"id:1,phase:2,deny\"", "x.conf", "."));
    }

    [Fact]
    public void Rules_ChainSetvarSkipAfterAndExclusion_AsSecLang()
    {
        var builder = new RuleSetBuilder(TimeSpan.FromSeconds(1));
        builder.AddText("""
            SecRule ARGS:skip "@streq yes" "id:1,phase:2,pass,nolog,skipAfter:END"
            SecRule ARGS|!ARGS:safe "@contains evil" "id:2,phase:2,pass,log,setvar:tx.score=+5,chain"
                SecRule &ARGS "@ge 1" "t:none"
            SecMarker END
            SecRule TX:score "@ge 5" "id:3,phase:2,deny,log,msg:'score %{tx.score}'"
            """, "t.conf", ".");
        var rules = builder.Build();

        Assert.Equal(3, Run(rules, RuleEngineMode.On, "/?a=evil").Interruption?.Rule?.Id);
        Assert.Null(Run(rules, RuleEngineMode.On, "/?safe=evil").Interruption);
        Assert.Null(Run(rules, RuleEngineMode.On, "/?a=evil&skip=yes").Interruption);
        Assert.Equal("score 5", Run(rules, RuleEngineMode.On, "/?a=evil").Matches.Single(m => m.Rule.Id == 3).Message);
    }
}

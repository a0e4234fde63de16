using System.Globalization;
using EnvoyGovern.ExtProc.Waf.Engine;
using EnvoyGovern.ExtProc.Waf.Rules;
using EnvoyGovern.ExtProc.Waf.SecLang;

namespace EnvoyGovern.Tests.Waf;

/// <summary>
/// A transaction's collections are reused by later exchanges and some of its variables are made only when read:
/// neither may change what a rule sees, and a reused set must hold nothing of the exchange before.
/// </summary>
public sealed class TransactionLifetimeTests
{
    private static RuleSet Rules(string text)
    {
        var builder = new RuleSetBuilder(TimeSpan.FromSeconds(1));
        builder.AddText("SecRuleEngine On\n" + text, "t.conf", ".");
        return builder.Build();
    }

    [Fact]
    public void DeferredVariables_ReadByTargetsAndMacros_HoldTheRequestsValues()
    {
        var rules = Rules("""
            SecRule REQUEST_LINE "@streq POST /v1/chat/completions?x=1 HTTP/2" "id:1,phase:1,pass,log,msg:'line %{REQUEST_LINE}'"
            SecRule REQUEST_BASENAME "@streq completions" "id:2,phase:1,pass,log"
            SecRule REMOTE_PORT "@eq 40000" "id:3,phase:1,pass,log"
            SecRule SERVER_PORT "@eq 8443" "id:4,phase:1,pass,log,msg:'port %{SERVER_PORT}'"
            SecRule TIME_EPOCH "@ge 1700000000" "id:5,phase:1,pass,log"
            SecRule TIME "@rx ^[0-2][0-9]:[0-5][0-9]:[0-6][0-9]$" "id:6,phase:1,pass,log,msg:'at %{TIME}'"
            """);
        var before = DateTimeOffset.UtcNow;
        var transaction = new WafTransaction(rules, "t", RuleEngineMode.On);

        transaction.ProcessRequestHeaders(
            new RequestLine("POST", "/v1/chat/completions?x=1", "HTTP/2") { RemotePort = 40000, ServerPort = 8443 },
            [new("host", "api.example.com")]);

        Assert.Equal([1, 2, 3, 4, 5, 6], transaction.Matches.Select(m => m.Rule.Id));
        Assert.Equal("line POST /v1/chat/completions?x=1 HTTP/2", transaction.Matches[0].Message);
        Assert.Equal("port 8443", transaction.Matches[3].Message);
        var after = DateTimeOffset.UtcNow;
        var seconds = Enumerable.Range(0, (int)(after - before).TotalSeconds + 2).Select(s => "at " + before.AddSeconds(s).ToString("HH:mm:ss", CultureInfo.InvariantCulture));
        Assert.Contains(transaction.Matches[5].Message, seconds);
    }

    [Fact]
    public void Return_FilledCollections_EmptyForTheNextTransaction()
    {
        var lists = TransactionCollections.Rent();
        lists[(int)Variable.Tx].Set("anomaly_score", "5");
        lists[(int)Variable.RequestHeaders].Add("cookie", "session=secret");
        for (var i = 0; i < 1000; i++)
        {
            lists[(int)Variable.Args].Add($"a{i}", "v");
        }

        TransactionCollections.Return(lists);

        Assert.All(lists, list => Assert.Equal(0, list.Count));
        Assert.Null(lists[(int)Variable.Tx].Get("anomaly_score"));
        Assert.Equal(0, lists[(int)Variable.Args].AsSpan().Length);
    }

    [Fact]
    public void Release_TransactionUsedAfterwards_FailsInsteadOfReadingAnotherExchange()
    {
        var transaction = new WafTransaction(Rules(string.Empty), "t", RuleEngineMode.On);
        transaction.ProcessRequestHeaders(new RequestLine("GET", "/", "HTTP/1.1"), [new("host", "a.example.com")]);

        transaction.Release();
        transaction.Release();

        Assert.Throws<IndexOutOfRangeException>(() => transaction.Collection(Variable.RequestHeaders));
        Assert.Throws<IndexOutOfRangeException>(() => transaction.ProcessRequestHeaders(new RequestLine("GET", "/", "HTTP/1.1"), []));
    }
}

using EnvoyGovern.ExtProc.Waf.Detection;

namespace EnvoyGovern.Tests.Waf.Detection;

public sealed class SqlInjectionDetectorTests
{
    [Theory]
    [InlineData("1' OR '1'='1")]
    [InlineData("1' or 1=1 --")]
    [InlineData("\" or \"\"=\"")]
    [InlineData("1 UNION SELECT password FROM users--")]
    [InlineData("-1 union all select 1,2,3")]
    [InlineData("x') union select null,null--")]
    [InlineData("1;DROP TABLE x")]
    [InlineData("1; exec xp_cmdshell 'dir'")]
    [InlineData("admin'--")]
    [InlineData("admin' --")]
    [InlineData("admin')/*")]
    [InlineData("1 AND 1=1")]
    [InlineData("1 and sleep(5)")]
    [InlineData("1' and sleep(5)#")]
    [InlineData("sleep(5)")]
    [InlineData("benchmark(10000000,md5(1))")]
    [InlineData("1 or benchmark(10000000,sha1(1))")]
    [InlineData("'; waitfor delay '0:0:5'--")]
    [InlineData("1 UN/**/ION SEL/**/ECT password FROM users")]
    [InlineData("1 UNION/**/SELECT password")]
    [InlineData("1 /*!50000 union*/ /*!50000 select*/ 1,2")]
    [InlineData("/*!50000 select*/ user()")]
    [InlineData("' or username=0x61646d696e--")]
    [InlineData("1 union select char(97,100,109,105,110)")]
    [InlineData("1 and ascii(substring((select database()),1,1))>64")]
    [InlineData("' || (select password from users limit 1) || '")]
    [InlineData("1 order by 3--")]
    [InlineData("SELECT * FROM users WHERE id = 1")]
    [InlineData("' and extractvalue(1,concat(0x7e,version()))--")]
    [InlineData("1 or @@version like '5%'")]
    [InlineData("a'or'a")]
    [InlineData("x'=email--")]
    [InlineData("' or true; foo")]
    [InlineData("test' or 1=")]
    [InlineData("; sleep(0)")]
    [InlineData("selEct(/*te\"$%st*/sleep(/*te'e*st2*/10));")]
    [InlineData("file:/init.ini'.sleep(12).'")]
    [InlineData("FOO) AND 4499=8923#")]
    [InlineData("SO_BUY; IF (1=1) WAITFOR DELAY '00:00:01'--")]
    [InlineData("FOO,(SELECT (CASE WHEN (4831=4831) THEN 1 ELSE 1/(SELECT 0) END))")]
    [InlineData("1001 union((select userid, ccnumber from credit_cards))")]
    [InlineData("1001 sounds like '1001' union select 1,ccnumber,3,4 from credit_cards")]
    [InlineData("X' = 'X' = 0 = '1")]
    [InlineData("a'+'b")]
    [InlineData("@@version--")]
    [InlineData("1 into outfile '/tmp/x'")]
    [InlineData("test'-1 union(select table)")]
    [InlineData("exec master..xp_cmdshell 'dir'")]
    [InlineData("declare @q varchar(99)")]
    [InlineData("waitfor delay '0:0:5'")]
    [InlineData("select*from users")]
    public void IsSqlInjection_ClassicPayload_Detected(string payload)
    {
        Assert.True(SqlInjectionDetector.IsSqlInjection(payload, out var fingerprint), payload);
        Assert.NotEmpty(fingerprint);
    }

    [Theory]
    [InlineData("O'Reilly")]
    [InlineData("it's 1 o'clock")]
    [InlineData("Tom's and Jerry's")]
    [InlineData("don't or won't")]
    [InlineData("Rock 'n' roll")]
    [InlineData("select your plan")]
    [InlineData("Select the best plan from the list")]
    [InlineData("Update the table with new values")]
    [InlineData("drop me a line")]
    [InlineData("exec summary")]
    [InlineData("12345")]
    [InlineData("3.14159")]
    [InlineData("2024-01-31")]
    [InlineData("john.doe@example.com")]
    [InlineData("{\"name\": \"O'Reilly\", \"age\": 5, \"tags\": [\"a\", \"b\"]}")]
    [InlineData("https://example.com/search?q=union+station&page=2")]
    [InlineData("a < b and c > d")]
    [InlineData("x or y")]
    [InlineData("cats and dogs")]
    [InlineData("**Bold** and _italic_ -- a dash, # heading")]
    [InlineData("# Title\n\n- item one\n- item two")]
    [InlineData("Can you write a SQL query to select all users from the table where age > 30?")]
    [InlineData("Explain this query: SELECT name FROM users WHERE id = 1")]
    [InlineData("Summarize the European Union's trade policy in 3 bullet points.")]
    [InlineData("What's the difference between 'union' and 'union all' in SQL?")]
    [InlineData("I'd like to order by price, please; and sort by date")]
    [InlineData("Please count(words) in my essay -- thanks!")]
    [InlineData("He said \"hi\" and left")]
    [InlineData("max(3, 4) + min(1, 2)")]
    [InlineData("if (a == b) { return x; }")]
    [InlineData("OWASP CRS test agent")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36")]
    [InlineData("await sleep(1000);")]
    [InlineData("const argv = parser('--foo=99 --bar=9987930', {")]
    [InlineData("const key = '-----BEGIN RSA PRIVATE KEY-----\nXXXX';")]
    [InlineData("You can exclude debuggers by prefixing them with a \"-\"")]
    [InlineData("const config = require('/path/to/config.json');")]
    [InlineData("load(\"awesome.proto\", function(err, root) {")]
    [InlineData(".AddCheck<ShutdownHealthCheck>(\"shutdown\", tags: [HealthTags.Ready]);")]
    [InlineData("exec('my.bat', (err, stdout, stderr) => {")]
    [InlineData("to execute JavaScript tests independently of the C++ test suite:")]
    [InlineData("function and execute them from there.")]
    [InlineData("Work or (ii) assert any associated claims")]
    [InlineData("QUIC and HTTP/3.")]
    [InlineData("'/usr/local/bin/node'")]
    [InlineData("designated in writing by the copyright owner as \"Not a Contribution.\"")]
    [InlineData("Files: doc/*.texi doc/*.info doc/*.[03] doc/*.pdf")]
    [InlineData("new URL('/foo#1', 'file:');")]
    [InlineData("**doc**: do not use & for \"and\" in text (Rich Trott)")]
    [InlineData("select 'and'")]
    [InlineData("'countdown calendar\" and \"disney:")]
    [InlineData("1; exec will create the case 7")]
    [InlineData("\"1--\"")]
    [InlineData("1,1--")]
    [InlineData("O'connors UNION selected a few friends from a")]
    [InlineData("1 collate these union documents")]
    [InlineData("\"foo\" AND \"bar\"")]
    [InlineData("\"WHITE\" + \"PLATE\" + \"POTTERY\"")]
    [InlineData("I'M AFRAID SO. YOU'RE ENTIRELY BONKERS. BUT I'LL TELL YOU A SECRET")]
    [InlineData("modify, merge, publish, distribute, sublicense, and/or sell copies")]
    [InlineData("stream.end('<h1>Hello World</h1>');")]
    [InlineData("cleanup vars to const and '==' to '==='")]
    [InlineData("Execute order 66")]
    [InlineData("execute 'ls -la' on the build server")]
    [InlineData("Drop - 2 lbs in a week?")]
    [InlineData("")]
    public void IsSqlInjection_BenignText_NotDetected(string text)
    {
        Assert.False(SqlInjectionDetector.IsSqlInjection(text, out var fingerprint), $"{text} -> {fingerprint}");
        Assert.Empty(fingerprint);
    }

    [Fact]
    public void IsSqlInjection_OrTautologyAfterQuote_ReportsFingerprint()
    {
        Assert.True(SqlInjectionDetector.IsSqlInjection("1' OR '1'='1", out var fingerprint));

        Assert.Equal("s&sos", fingerprint);
    }

    [Fact]
    public void IsSqlInjection_OneMegabyteInput_Completes()
    {
        var benign = string.Concat(Enumerable.Repeat("it's (a) 'b' /* c */ -- d \"e\" 1+2 x.y ", 30_000));
        var attack = new string('(', 1_000_000) + "1' or 1=1--";
        var glued = string.Concat(Enumerable.Repeat("ab/**/", 170_000));

        Assert.False(SqlInjectionDetector.IsSqlInjection(benign, out _));
        Assert.True(SqlInjectionDetector.IsSqlInjection(attack, out _));
        Assert.False(SqlInjectionDetector.IsSqlInjection(glued, out _));
    }
}

using System.Net;
using EnvoyGovern.ExtProc.Waf;
using EnvoyGovern.ExtProc.Waf.Engine;
using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.ExtProc.Waf.Rules;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Waf;

/// <summary>The combined literal scan must only ever stand in for the prefilters' searches: the same rules match.</summary>
public sealed class LiteralScanTests
{
    private static ulong[] Scan(LiteralScan scan, string value)
    {
        var hits = new ulong[scan.Words];
        scan.Scan(value, CharMask.Of(value), hits);
        return hits;
    }

    [Fact]
    public void Scan_LiteralsInValue_SetsTheirGroupsOnly()
    {
        var scan = new LiteralScan([(["select", "union"], default), (["<script"], default), (["from"], default)]);

        var hits = Scan(scan, "a SELECT b From c");

        Assert.True(LiteralScan.Has(hits, 0));
        Assert.False(LiteralScan.Has(hits, 1));
        Assert.True(LiteralScan.Has(hits, 2));
    }

    [Fact]
    public void Scan_LiteralInsideLongerPath_FoundThroughFailureLinks()
    {
        // "union" is walked as a prefix of "unionx" first; "nio" ends inside it.
        var scan = new LiteralScan([(["unionx"], default), (["nio"], default)]);

        var hits = Scan(scan, "unio");

        Assert.False(LiteralScan.Has(hits, 0));
        Assert.True(LiteralScan.Has(hits, 1));
    }

    [Fact]
    public void Scan_NonAsciiValueOrAbsentChar_SetsTheGroupsItCannotRuleOut()
    {
        var scan = new LiteralScan([(["select"], default), (["cat"], CharMask.Single('$'))]);

        var nonAscii = Scan(scan, "caf\u00e9");
        var absent = Scan(scan, "c$a");

        Assert.True(LiteralScan.Has(nonAscii, 0) && LiteralScan.Has(nonAscii, 1));
        Assert.False(LiteralScan.Has(absent, 0));
        Assert.True(LiteralScan.Has(absent, 1));
    }

    [Fact]
    public void Crs_RegressionPayloads_SameRulesMatchWithAndWithoutScan()
    {
        // A generous regex timeout: a first match on a loaded test machine may take long, and a timeout ends the phase
        // (a difference of timing, not of the scan; a limit still counts as a difference below).
        var rules = WafRuleLoader.Load(new WafRuleSources { CrsDirectory = RepoPaths.Crs, RegexTimeout = TimeSpan.FromSeconds(60) });
        rules.CompileRegexes();
        var index = rules.Literals!;
        var tests = Path.Combine(RepoPaths.Crs, "tests", "regression", "tests");
        var scanned = rules.Links().Where(r => index.EntryOf(r).Active).Select(r => r.Parent?.Id ?? r.Id).Distinct().ToList();
        var differences = new List<string>();
        var (payloads, matched) = (0, 0);
        foreach (var id in scanned)
        {
            foreach (var payload in CrsRulePayloads.Payloads(tests, id).Take(12))
            {
                payloads++;
                rules.Literals = null;
                var without = Matched(rules, payload);
                rules.Literals = index;
                var with = Matched(rules, payload);
                matched += without.Length > 0 ? 1 : 0;
                if (!without.SequenceEqual(with))
                {
                    differences.Add($"rule {id} payload {payload}: only without the scan [{string.Join(',', without.Except(with))}], only with it [{string.Join(',', with.Except(without))}]");
                }
            }
        }

        Assert.True(scanned.Count > 100, $"only {scanned.Count} CRS rules use the scan");
        Assert.True(matched > 500, $"only {matched} of {payloads} payloads matched a rule: the test checks too little");
        Assert.True(differences.Count == 0, string.Join('\n', differences));
    }

    private static int[] Matched(RuleSet rules, string payload)
    {
        var transaction = new WafTransaction(rules, "t", RuleEngineMode.DetectionOnly);
        transaction.ProcessRequestHeaders(
            new RequestLine("POST", "/p?x=" + WebUtility.UrlEncode(payload), "HTTP/1.1"),
            [new("host", "a.example.com"), new("content-type", "application/x-www-form-urlencoded")]);
        transaction.AppendRequestBody(System.Text.Encoding.UTF8.GetBytes("q=" + WebUtility.UrlEncode(payload)));
        transaction.ProcessRequestBody();
        Assert.Null(transaction.LimitExceeded);
        return [.. transaction.Matches.Select(m => m.Rule.Id)];
    }
}

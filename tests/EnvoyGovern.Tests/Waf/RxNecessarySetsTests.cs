using System.Text.RegularExpressions;
using EnvoyGovern.ExtProc.Waf;
using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Waf;

/// <summary>
/// An @rx gate also requires the pattern's other necessary literal sets (<see cref="RxLiteralAnalysis.AllNecessary"/>)
/// that a value of letters, digits and spaces fails: a rejected value the regex matches would hide an attack. The CRS
/// regression suite's prefilter audit checks the same on every value its requests produce; here every CRS pattern with
/// such a gate meets the whole transformation corpus and its own rule's payloads.
/// </summary>
public sealed class RxNecessarySetsTests
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Singleline;

    // A function name, then a call: the names' set is the prefilter, '(' rules out ordinary words.
    private const string FunctionCall = @"(?i)\b(?:eval|system)[\s]*\([^)]*\)";

    // As 934100: each branch needs its own mark (_ ( . : [) after or around names ordinary words may hold.
    private const string CallsAndMembers = @"_(?:\$\$ND_FUNC\$\$_|_js_function)|(?:\beval|new[\s\x0b]+Function[\s\x0b]*)\(|this\.constructor|cons(?:tructor:constructor|ole\.(?:log|error)\()|process(?:\.env|\[[""'`]env[""'`]\])|(?:env|require)\[";

    [Theory]
    [InlineData(@"(?i)\b(?:eval|alert)[\s]*[\(\{]", "(|{")]
    [InlineData(@"(?:exec|system)\s*\([^)]*\)", "(|)")]
    [InlineData(@"ab+c;", "c;")]
    public void AllNecessary_Sequence_KeepsEverySet(string pattern, string expected)
    {
        var sets = RxLiteralAnalysis.AllNecessary(pattern).Select(s => string.Join("|", s.Set.Order(StringComparer.Ordinal))).ToList();

        foreach (var set in expected.Split('|'))
        {
            Assert.Contains(sets, s => s.Split('|').Contains(set));
        }
    }

    [Theory]
    [InlineData(@"ab\(|cd\.|e:f", "(|.|:")]
    [InlineData(@"(?:eval|new\s+Function)\(|this\.constructor|cons(?:tructor:constructor|ole\.log)", "(|.|:")]
    [InlineData(@"x(?:a-b|c_d)y", "-|_")]
    [InlineData(@"(?i)(?:select|union)\s*\(|sleep\(", "(")]
    public void AllNecessary_EveryBranchNeedsAMark_KeepsTheMarks(string pattern, string expected)
    {
        var sets = RxLiteralAnalysis.AllNecessary(pattern).Select(s => string.Join("|", s.Set.Order(StringComparer.Ordinal))).ToList();

        Assert.Contains(string.Join("|", expected.Split('|').Order(StringComparer.Ordinal)), sets);
    }

    [Theory]
    [InlineData(@"a\(|b")]
    [InlineData(@"(?:x;)?y")]
    [InlineData(@"(?=\()abc")]
    [InlineData(@"(?:\(|x)abc")]
    [InlineData(@"a\(|b\.|c")]
    [InlineData(@"(?:a\(|b\.)?c")]
    public void GateFor_SetOnlyOneBranchOrAnOptionalPartNeeds_AddsNoGate(string pattern)
    {
        var gate = RxOperator.GateFor(pattern, RxPrefilter.For(pattern));

        Assert.True(gate is null || gate.Also.Count == 0, gate?.ToString());
    }

    [Theory]
    [InlineData(FunctionCall, "lorem ipsum eval dolor", false)]
    [InlineData(FunctionCall, "eval(1)", true)]
    [InlineData(FunctionCall, "system (x)", true)]
    [InlineData(FunctionCall, "system (x", false)]
    [InlineData(FunctionCall, "caf\u00e9 eval", true)]
    [InlineData(CallsAndMembers, "lorem ipsum consectetur consequat process env", false)]
    [InlineData(CallsAndMembers, "loremipsumconsecteturconsequat", false)]
    [InlineData(CallsAndMembers, "console.log(1)", true)]
    [InlineData(CallsAndMembers, "x constructor:constructor", true)]
    [InlineData(CallsAndMembers, "process[\"env\"]", true)]
    [InlineData(CallsAndMembers, "_$$ND_FUNC$$_function(){}", true)]
    public void GateFor_CallPatterns_RejectsOrdinaryWords(string pattern, string value, bool mayMatch)
    {
        var gate = RxOperator.GateFor(pattern, RxPrefilter.For(pattern));

        Assert.NotNull(gate);
        Assert.Equal(mayMatch, gate.MayMatch(CharMask.Of(value)));
        if (!mayMatch)
        {
            Assert.DoesNotMatch(new Regex(pattern, Options), value);
        }
    }

    [Fact]
    public void Gate_CrsPatternsOnTheCorpusAndTheirPayloads_NeverRejectsAMatch()
    {
        var rules = WafRuleLoader.Load(new WafRuleSources { CrsDirectory = RepoPaths.Crs });
        var tests = Path.Combine(RepoPaths.Crs, "tests", "regression", "tests");
        var misses = new List<string>();
        var gated = new HashSet<int>();
        var rejected = 0;
        foreach (var (id, rx) in CrsRulePayloads.RxOperators(rules))
        {
            if (rx.Gate is not { Also.Count: > 0 } gate)
            {
                continue;
            }

            gated.Add(id);
            var regex = Linear(PcreTranslator.Translate(rx.Pattern));
            foreach (var value in TransformationCorpus.Inputs.Concat(CrsRulePayloads.Payloads(tests, id)))
            {
                if (gate.MayMatch(CharMask.Of(value)))
                {
                    continue;
                }

                rejected++;
                if (regex.IsMatch(value))
                {
                    misses.Add($"rule {id}: {gate} rejected a match: {value}");
                }
            }
        }

        // 933160 and 941390 (a function name, then '(') and 934100 (each branch a mark) are the ones the
        // distinct-values benchmark meets.
        Assert.Contains(933160, gated);
        Assert.Contains(941390, gated);
        Assert.Contains(934100, gated);
        Assert.True(rejected > 100_000, $"only {rejected} values rejected");
        Assert.Empty(misses);
    }

    // The corpus holds inputs some backtracking patterns take seconds on; the linear engine answers the same where
    // it can run the pattern (no lookarounds or back references).
    private static Regex Linear(string pattern)
    {
        try
        {
            return new Regex(pattern, Options | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            return new Regex(pattern, Options);
        }
    }
}

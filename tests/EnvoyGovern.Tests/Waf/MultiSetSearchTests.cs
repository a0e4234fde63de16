using System.Buffers;
using EnvoyGovern.ExtProc.Waf;
using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Waf;

/// <summary>The one-pass search for many literal sets that the conditional prefilters share.</summary>
public sealed class MultiSetSearchTests
{
    private static readonly (IReadOnlyCollection<string> Literals, bool IgnoreCase)[] Sets =
    [
        (["wget", "curl", "nc"], true),
        (["union", "select"], true),
        (["Exec", "Eval"], false),
        (["bcd", "abcde"], true),
    ];

    [Theory]
    [InlineData("", 0b0000)]
    [InlineData("nothing here", 0b0000)]
    [InlineData("then WGET it", 0b0001)]
    [InlineData("UNION all SeLeCt curl", 0b0011)]
    [InlineData("eval exec", 0b0100)]
    [InlineData("xxabcdexx", 0b1000)]
    [InlineData("abcd", 0b1000)]
    [InlineData("sync", 0b0001)]
    public void TrySearch_AsciiText_FindsEverySetItHolds(string text, ulong expected)
    {
        var search = MultiSetSearch.Build(Sets)!;

        Assert.True(search.TrySearch(text, out var found));
        Assert.Equal(expected, found);
    }

    [Fact]
    public void Build_Sets_ReportsTheirBitsAndTheCaseSensitiveOnes()
    {
        var search = MultiSetSearch.Build(Sets)!;

        Assert.Equal(0b1111UL, search.Sets);
        Assert.Equal(0b0100UL, search.CaseSensitive);
    }

    [Fact]
    public void TrySearch_LiteralsEndingInsideLongerOnes_FoundThroughFailureLinks()
    {
        var search = MultiSetSearch.Build([(["abcd"], true), (["bc"], true), (["cd"], true), (["bcx"], true)])!;

        Assert.True(search.TrySearch("zabcdz", out var found));
        Assert.Equal(0b0111UL, found);
        Assert.True(search.TrySearch("abcx", out found));
        Assert.Equal(0b1010UL, found);
    }

    [Fact]
    public void TrySearch_NonAsciiText_NotSearched()
    {
        var search = MultiSetSearch.Build(Sets)!;

        Assert.False(search.TrySearch("wget caf\u00e9", out var found));
        Assert.Equal(0UL, found);
    }

    [Fact]
    public void Build_NonAsciiOrEmptyLiteralOrTooManySets_ReturnsNull()
    {
        Assert.Null(MultiSetSearch.Build([(["caf\u00e9"], true)]));
        Assert.Null(MultiSetSearch.Build([(["a", string.Empty], true)]));
        Assert.Null(MultiSetSearch.Build([.. Enumerable.Range(0, MultiSetSearch.MaxSets + 1).Select(i => ((IReadOnlyCollection<string>)[$"w{i}"], true))]));
        Assert.NotNull(MultiSetSearch.Build([.. Enumerable.Range(0, MultiSetSearch.MaxSets).Select(i => ((IReadOnlyCollection<string>)[$"w{i}"], true))]));
    }

    [Fact]
    public void TrySearch_RandomSetsAndTexts_SameAsEachSetsOwnSearch()
    {
        var random = new Random(13);
        const string alphabet = "abcABC- ;";
        for (var round = 0; round < 200; round++)
        {
            var sets = Enumerable.Range(0, random.Next(1, 9))
                .Select(_ => ((IReadOnlyCollection<string>)[.. Enumerable.Range(0, random.Next(1, 6)).Select(_ => Text(random, alphabet, random.Next(1, 5)))], random.Next(3) > 0))
                .ToList();
            var search = MultiSetSearch.Build(sets)!;
            for (var i = 0; i < 50; i++)
            {
                var text = Text(random, alphabet, random.Next(0, 24));
                Assert.True(search.TrySearch(text, out var found));
                for (var s = 0; s < sets.Count; s++)
                {
                    var (literals, ignoreCase) = sets[s];
                    var bit = (found >> s) & 1;
                    // A case-sensitive set's bit is a candidate: exactly the case-folded search's answer.
                    var folded = text.AsSpan().ContainsAny(SearchValues.Create([.. literals], StringComparison.OrdinalIgnoreCase));
                    var exact = text.AsSpan().ContainsAny(SearchValues.Create([.. literals], ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));
                    Assert.True(bit == (folded ? 1UL : 0), $"set {s} [{string.Join('|', literals)}] in \"{text}\"");
                    Assert.True(!exact || bit == 1, $"set {s} [{string.Join('|', literals)}] missed in \"{text}\"");
                }
            }
        }
    }

    [Fact]
    public void ShareSearches_CrsConditionsOnTheirRegressionPayloads_CombinedAnswersAsEachConditionsSearch()
    {
        var rules = WafRuleLoader.Load(new WafRuleSources { CrsDirectory = RepoPaths.Crs });
        var tests = Path.Combine(RepoPaths.Crs, "tests", "regression", "tests");
        var conditions = new List<(int Id, ConditionalPrefilter Condition)>();
        foreach (var (id, rx) in CrsRulePayloads.RxOperators(rules))
        {
            if (ConditionalPrefilter.For(PcreTranslator.Translate(rx.Pattern), rx.Prefilter) is { } conditional)
            {
                conditions.Add((id, conditional));
            }
        }

        ConditionalPrefilter.ShareSearches(conditions.Select(c => c.Condition));

        // Every condition on the payloads of every rule that has one: attacks that hold some sets' words and not others.
        var values = conditions.Select(c => c.Id).Distinct().SelectMany(id => CrsRulePayloads.Payloads(tests, id))
            .SelectMany(p => new[] { p, p.ToLowerInvariant(), p.ToUpperInvariant() }).Distinct().ToList();
        var searched = 0;
        foreach (var (id, condition) in conditions.Where(c => c.Condition.Literals.Count > 0))
        {
            Assert.True(condition.SearchBit >= 0 && condition.Combined is not null, $"rule {id}: not in the combined search");
            var combined = condition.Combined!;
            var flag = 1UL << condition.SearchBit;
            foreach (var value in values)
            {
                if (!combined.TrySearch(value, out var found))
                {
                    continue;
                }

                searched++;
                var contains = condition.Contains(value);
                if (condition.IgnoreCase)
                {
                    Assert.True(contains == ((found & flag) != 0), $"rule {id}: combined and own search differ on: {value}");
                }
                else
                {
                    Assert.True(!contains || (found & flag) != 0, $"rule {id}: combined search missed: {value}");
                }
            }
        }

        Assert.True(searched > 50_000, $"only {searched} searches compared: the test checks too little");
    }

    private static string Text(Random random, string alphabet, int length) =>
        string.Create(length, (random, alphabet), static (span, state) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = state.alphabet[state.random.Next(state.alphabet.Length)];
            }
        });
}

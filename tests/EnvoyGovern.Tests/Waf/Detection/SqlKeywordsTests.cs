using EnvoyGovern.ExtProc.Waf.Detection;

namespace EnvoyGovern.Tests.Waf.Detection;

/// <summary>The SQL word table behind <c>@detectSQLi</c>'s tokenizer, with its shape filter in front.</summary>
public sealed class SqlKeywordsTests
{
    [Fact]
    public void Classify_EveryTableWordInAnyCase_ItsClass()
    {
        Assert.NotEmpty(SqlKeywords.Words);
        foreach (var word in SqlKeywords.Words)
        {
            var type = SqlKeywords.Classify(word);

            Assert.NotEqual(SqlTokenType.None, type);
            Assert.Equal(type, SqlKeywords.Classify(word.ToUpperInvariant()));
            Assert.Equal(type, SqlKeywords.Classify(Alternating(word)));
        }
    }

    [Theory]
    [InlineData("lorem")]
    [InlineData("ipsum")]
    [InlineData("sanest")] // the shape of "select" (six chars, s ... t), not the word
    [InlineData("UNIONS")]
    [InlineData("un_ion")]
    [InlineData("")]
    public void Classify_PlainWord_None(string word)
    {
        Assert.Equal(SqlTokenType.None, SqlKeywords.Classify(word));
    }

    [Fact]
    public void Classify_WordLongerThanAnySqlWord_None()
    {
        Assert.Equal(SqlTokenType.None, SqlKeywords.Classify(new string('s', 33)));
        Assert.Equal(SqlTokenType.None, SqlKeywords.Classify("select" + new string('x', 26)));
    }

    private static string Alternating(string word) =>
        string.Create(word.Length, word, (chars, w) =>
        {
            for (var i = 0; i < w.Length; i++)
            {
                chars[i] = i % 2 == 0 ? char.ToUpperInvariant(w[i]) : w[i];
            }
        });
}

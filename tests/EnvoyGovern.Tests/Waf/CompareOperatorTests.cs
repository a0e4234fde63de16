using EnvoyGovern.ExtProc.Waf.Operators;

namespace EnvoyGovern.Tests.Waf;

/// <summary>The numeric comparisons read their operands as C <c>atoi</c> does, which the CRS's score checks rely on.</summary>
public sealed class CompareOperatorTests
{
    [Theory]
    [InlineData("42", 42)]
    [InlineData("  -42abc", -42)]
    [InlineData("+7", 7)]
    [InlineData("-", 0)]
    [InlineData("+", 0)]
    [InlineData("abc", 0)]
    [InlineData("", 0)]
    [InlineData("1 2", 1)]
    [InlineData("99999999999999999999", 999_999_999_999_999_999)]
    [InlineData("-99999999999999999999", -99_999_999_999_999_999)]
    [InlineData("\u0660", 0)]
    public void ToInt_Text_ReadsLikeAtoiWithinEighteenChars(string text, long expected) =>
        Assert.Equal(expected, CompareOperator.ToInt(text));
}

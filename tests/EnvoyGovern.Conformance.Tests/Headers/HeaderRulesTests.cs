using EnvoyGovern.Conformance.Headers;

namespace EnvoyGovern.Conformance.Tests.Headers;

public sealed class HeaderRulesTests
{
    [Theory]
    [InlineData("x-user", true)]
    [InlineData(":path", true)]
    [InlineData("X-Mixed_Case.1", true)]
    [InlineData("", false)]
    [InlineData(":", false)]
    [InlineData("bad header", false)]
    [InlineData("bad:colon", false)]
    [InlineData("quote\"", false)]
    public void IsValidName_Name_MatchesToken(string name, bool expected) => Assert.Equal(expected, HeaderRules.IsValidName(name));

    [Theory]
    [InlineData("ok value", true)]
    [InlineData("a\rb", false)]
    [InlineData("a\nb", false)]
    [InlineData("a\0b", false)]
    public void IsValidValue_Value_RejectsCrLfNul(string value, bool expected) => Assert.Equal(expected, HeaderRules.IsValidValue(value));

    [Theory]
    [InlineData("x-user", true)]
    [InlineData("host", false)]
    [InlineData(":authority", false)]
    public void IsRemovable_Name_ExcludesPseudoAndHost(string name, bool expected) => Assert.Equal(expected, HeaderRules.IsRemovable(name));
}

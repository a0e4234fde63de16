using EnvoyGovern.Governance.Envoy;
using AppendAction = Envoy.Config.Core.V3.HeaderValueOption.Types.HeaderAppendAction;

namespace EnvoyGovern.Tests.Hosting;

public sealed class HeaderOptionsTests
{
#pragma warning disable CS0612 // the deprecated `append` is what these tests are about
    [Fact]
    public void Overwrite_Always_SetsAppendFalseAndOverwriteAction()
    {
        var option = HeaderOptions.Overwrite("x-a", "1");

        Assert.False(option.Append);
        Assert.Equal(AppendAction.OverwriteIfExistsOrAdd, option.AppendAction);
        Assert.Equal("1", option.Header.Value);
        Assert.True(option.Header.RawValue.IsEmpty);
    }

    [Fact]
    public void Append_Always_SetsAppendTrueAndAppendAction()
    {
        var option = HeaderOptions.Append("x-a", "1");

        Assert.True(option.Append);
        Assert.Equal(AppendAction.AppendIfExistsOrAdd, option.AppendAction);
    }

    [Fact]
    public void OverwriteRaw_Always_UsesRawValueOnly()
    {
        var option = HeaderOptions.OverwriteRaw("x-a", "é");

        Assert.Equal(string.Empty, option.Header.Value);
        Assert.Equal("é", option.Header.RawValue.ToStringUtf8());
        Assert.False(option.Append);
    }
#pragma warning restore CS0612

    [Theory]
    [InlineData("x-good", true)]
    [InlineData(":path", true)]
    [InlineData("", false)]
    [InlineData(":", false)]
    [InlineData("bad header", false)]
    [InlineData("bad\r\nname", false)]
    public void IsValidName_Examples_MatchToken(string name, bool valid) => Assert.Equal(valid, HeaderRules.IsValidName(name));

    [Theory]
    [InlineData("plain", true)]
    [InlineData("a\rb", false)]
    [InlineData("a\nb", false)]
    [InlineData("a\0b", false)]
    public void IsValidValue_Examples_RejectCrLfNul(string value, bool valid) => Assert.Equal(valid, HeaderRules.IsValidValue(value));
}

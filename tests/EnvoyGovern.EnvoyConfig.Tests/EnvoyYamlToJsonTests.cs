using System.Text.Json;

namespace EnvoyGovern.EnvoyConfig.Tests;

/// <summary>YAML scalars become the JSON values Envoy's own converter would produce.</summary>
public sealed class EnvoyYamlToJsonTests
{
    [Theory]
    [InlineData("\"true\"", "\"true\"")]
    [InlineData("'8192'", "\"8192\"")]
    [InlineData("|\n  block", "\"block\\n\"")]
    [InlineData(">-\n  folded\n  text", "\"folded text\"")]
    [InlineData("true", "true")]
    [InlineData("False", "false")]
    [InlineData("yes", "true")]
    [InlineData("OFF", "false")]
    [InlineData("tRuE", "\"tRuE\"")]
    [InlineData("8192", "8192")]
    [InlineData("-7", "-7")]
    [InlineData("0x10", "16")]
    [InlineData("010", "8")]
    [InlineData("3000000000", "\"3000000000\"")]
    [InlineData("0.5", "0.5")]
    [InlineData("1e3", "1000")]
    [InlineData(".inf", "\"Infinity\"")]
    [InlineData(".nan", "\"NaN\"")]
    [InlineData("~", "null")]
    [InlineData("null", "null")]
    [InlineData("", "null")]
    [InlineData("0.25s", "\"0.25s\"")]
    [InlineData("127.0.0.1", "\"127.0.0.1\"")]
    [InlineData("x-governance-cluster", "\"x-governance-cluster\"")]
    public void Convert_Scalar_MapsLikeEnvoy(string yamlValue, string expectedJson)
    {
        var json = EnvoyYamlToJson.Convert($"v: {yamlValue}\n");

        using var document = JsonDocument.Parse(json);
        Assert.Equal(expectedJson, document.RootElement.GetProperty("v").GetRawText());
    }

    [Fact]
    public void Convert_IgnoreTaggedKey_IsDropped()
    {
        var json = EnvoyYamlToJson.Convert("!ignore defaults: &d { a: 1 }\nname: x\n");

        Assert.Equal("{\"name\":\"x\"}", json);
    }

    [Fact]
    public void Convert_Alias_IsExpanded()
    {
        var json = EnvoyYamlToJson.Convert("a: &t 0.25s\nb: *t\n");

        Assert.Equal("{\"a\":\"0.25s\",\"b\":\"0.25s\"}", json);
    }

    [Fact]
    public void Convert_EmptyDocument_Throws()
    {
        Assert.Throws<FormatException>(() => EnvoyYamlToJson.Convert("# only a comment\n"));
    }
}

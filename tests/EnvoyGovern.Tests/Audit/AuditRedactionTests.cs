using EnvoyGovern.Governance.Audit.Recording;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Tests.Audit;

/// <summary>What never reaches a record in clear, and how the trace context is read.</summary>
public sealed class AuditRedactionTests : IDisposable
{
    private readonly AuditTestKit _kit = new();

    [Theory]
    [InlineData("a=1&api_key=sk-123&b=2", "a=1&api_key=REDACTED&b=2")]
    [InlineData("TOKEN=abc", "TOKEN=REDACTED")]
    [InlineData("api%5Fkey=sk-123", "api%5Fkey=REDACTED")]
    [InlineData("x=1&flag&sig=zz", "x=1&flag&sig=REDACTED")]
    [InlineData("q=hello", "q=hello")]
    public void RedactQuery_SecretParameters_ValuesReplaced(string query, string expected) =>
        Assert.Equal(expected, AuditRedaction.Default.RedactQuery(query));

    [Fact]
    public void RedactQuery_ConfiguredParameter_ValueReplaced() =>
        Assert.Equal("tenant_secret=REDACTED&q=1", new AuditRedaction(["tenant_secret"]).RedactQuery("tenant_secret=x&q=1"));

    [Theory]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", true)]
    [InlineData("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra", true)]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01", false)]
    [InlineData("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", false)]
    [InlineData("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", false)]
    [InlineData("garbage", false)]
    public void TryParseTraceparent_W3CRules(string value, bool valid)
    {
        Assert.Equal(valid, EcsFields.TryParseTraceparent(value, out var trace, out var span));
        if (valid)
        {
            Assert.Equal("0af7651916cd43dd8448eb211c80319c", trace);
            Assert.Equal("b7ad6b7169203331", span);
        }
    }

    [Theory]
    [InlineData("authorization")]
    [InlineData("Cookie")]
    [InlineData("x-api-key")]
    public void Validate_CredentialHeaderAllowListed_Fails(string header)
    {
        var options = new AuditRecordingOptions();
        options.Headers.Add(header);

        var result = new AuditRecordingOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(header, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ShortKeyFile_FailsNamingTheFile()
    {
        var path = Path.Combine(_kit.Folder, "short.key");
        File.WriteAllText(path, "too-short\n");
        var options = new AuditRecordingOptions();
        options.Checkpoint.KeyFile = path;

        var result = new AuditRecordingOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("short.key", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("32 bytes", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.Equal(ValidateOptionsResult.Success, new AuditRecordingOptionsValidator().Validate(null, new AuditRecordingOptions()));

    public void Dispose() => _kit.Dispose();
}

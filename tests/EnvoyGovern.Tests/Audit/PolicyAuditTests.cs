using System.Text.Json;
using EnvoyGovern.Tests.Policy;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Audit;

/// <summary>Every policy load, reload and rejected reload leaves a record with both versions.</summary>
public sealed class PolicyAuditTests
{
    private static readonly string DenyAll = PolicyTexts.Document("p", """
        rules:
          - name: nobody
            effect: deny
            reason: closed
        """);

    [Fact]
    public async Task Reload_ValidThenInvalid_ReloadAndRejectedRecordsWithVersionsAndErrors()
    {
        using var volume = new ConfigMapVolume(("policy.yaml", PolicyTexts.AllowAll));
        await using var service = await RunningService.StartExtAuthzAsync(
            null, $"--Policy:Directory={volume.Path}", "--Policy:PollInterval=00:00:00.200", "--Policy:Debounce=00:00:00.050");
        var loaded = Assert.Single(service.Audit.Wait(r => Action(r) == "policy-load"));
        var first = Text(loaded, "envoygovern", "policy", "version");

        volume.Update(("policy.yaml", DenyAll));
        var reloaded = Assert.Single(service.Audit.Wait(r => Action(r) == "policy-reload"));
        volume.Update(("policy.yaml", PolicyTexts.AllowAll.Replace("effect: allow", "effect: maybe", StringComparison.Ordinal)));
        var rejected = Assert.Single(service.Audit.Wait(r => Action(r) == "policy-reload-rejected"));

        Assert.Equal(first, Text(reloaded, "envoygovern", "policy", "previous_version"));
        var second = Text(reloaded, "envoygovern", "policy", "version");
        Assert.NotEqual(first, second);
        Assert.Equal("success", Text(reloaded, "event", "outcome"));
        Assert.Equal("failure", Text(rejected, "event", "outcome"));
        Assert.Equal(second, Text(rejected, "envoygovern", "policy", "previous_version"));
        Assert.NotEqual(second, Text(rejected, "envoygovern", "policy", "version"));
        Assert.Contains("policy.yaml:8", Text(rejected, "envoygovern", "policy", "errors"), StringComparison.Ordinal);
        Assert.Contains("policy.yaml:8", Text(rejected, "error", "message"), StringComparison.Ordinal);
    }

    private static string? Action(JsonElement record) => Text(record, "event", "action");

    private static string? Text(JsonElement record, params string[] path) => CapturingAuditPipeline.Text(record, path);
}

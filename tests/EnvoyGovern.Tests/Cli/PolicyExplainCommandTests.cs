using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Cli;

/// <summary><c>envoy-govern policy explain DIR --request FILE</c> on the sample policy.</summary>
public sealed class PolicyExplainCommandTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"envoygovern-request-{Guid.NewGuid():N}.yaml");

    public void Dispose() => File.Delete(_file);

    private async Task<PolicyCommandRun> ExplainAsync(string request)
    {
        await File.WriteAllTextAsync(_file, request);
        return await PolicyCommandRun.RunAsync("explain", RepoPaths.SamplePolicy, "--request", _file);
    }

    private static string Chat(string key, string model, string source = "198.51.100.7", string scheme = "https", string host = "api.example.com") => $$"""
        request: { method: POST, path: /v1/chat/completions, host: {{host}}, scheme: {{scheme}}, source: {{source}},
                   headers: { x-api-key: {{key}} }, body: '{"model":"{{model}}"}' }
        """;

    [Fact]
    public async Task Explain_AcmeNewVersion_NamesTheFailingCondition()
    {
        var run = await ExplainAsync(Chat("demo-key-acme", "gpt-4o-2024-11-20"));

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("decision: deny 403 no_matching_rule", run.Output, StringComparison.Ordinal);
        Assert.Contains("allow rule chat-stable-version: no (modelVersions: request has 2024-11-20)", run.Output, StringComparison.Ordinal);
        Assert.Contains("allow rule chat-new-version-early-access: no (groups: request has developers)", run.Output, StringComparison.Ordinal);
        Assert.Contains("deny rule deny-embargoed-region: no (regions: request has global)", run.Output, StringComparison.Ordinal);
        Assert.Contains("api-example/apiKey: authenticated as acme-chat-service (tenant acme, groups developers)", run.Output, StringComparison.Ordinal);
        Assert.Contains("  model: gpt-4o\n  version: 2024-11-20", run.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal("", run.Error);
    }

    [Fact]
    public async Task Explain_GlobexNewVersion_ShowsTheMatchingRuleAndUpstreamHeaders()
    {
        var run = await ExplainAsync(Chat("demo-key-globex", "gpt-4o-2024-11-20"));

        Assert.StartsWith("decision: allow", run.Output, StringComparison.Ordinal);
        Assert.Contains("decided by: rule:chat-new-version-early-access", run.Output, StringComparison.Ordinal);
        Assert.Contains("allow rule chat-new-version-early-access: yes (methods, paths, groups, models, modelVersions)", run.Output, StringComparison.Ordinal);
        Assert.Contains("upstream header x-governance-tenant: globex", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_EmbargoedSource_DenyRuleMatches()
    {
        var run = await ExplainAsync(Chat("demo-key-acme", "gpt-4o", source: "203.0.113.9"));

        Assert.StartsWith("decision: deny 403 region_not_allowed", run.Output, StringComparison.Ordinal);
        Assert.Contains("decided by: rule:deny-embargoed-region", run.Output, StringComparison.Ordinal);
        Assert.Contains("deny rule deny-embargoed-region: yes (regions)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_UnknownKeyOverPlainHttp_ShowsTlsAndRejectedKey()
    {
        var run = await ExplainAsync(Chat("not-a-key", "gpt-4o", scheme: "http"));

        Assert.StartsWith("decision: deny 308 tls_redirect", run.Output, StringComparison.Ordinal);
        Assert.Contains("tls: tls_redirect 308 (scheme http)", run.Output, StringComparison.Ordinal);
        Assert.Contains("api-example/apiKey: rejected (invalid_api_key", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_OtherHost_NoDocumentApplies()
    {
        var run = await ExplainAsync(Chat("demo-key-acme", "gpt-4o", host: "other.example.com"));

        Assert.StartsWith("decision: deny 403 no_policy", run.Output, StringComparison.Ordinal);
        Assert.Contains("document api-example: does not apply (hosts: request has other.example.com)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_TimeOutsideAnyWindow_UsesTheFixedClock()
    {
        using var policy = new PolicyDirectory(("office.yaml", """
            apiVersion: governance.envoygovern.io/v1
            kind: GovernancePolicy
            metadata:
              name: office
            spec:
              rules:
                - name: office-hours
                  effect: allow
                  when:
                    time: { after: "09:00", before: "17:00", timeZone: UTC }
            """));
        await File.WriteAllTextAsync(_file, "time: 2026-11-26T20:00:00Z\nrequest: { host: a.example.com }\n");

        var run = await PolicyCommandRun.RunAsync("explain", policy.Path, "--request", _file);

        Assert.StartsWith("decision: deny 403 no_matching_rule", run.Output, StringComparison.Ordinal);
        Assert.Contains("allow rule office-hours: no (time: request has 2026-11-26 20:00:00Z)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_BadRequestFile_ExitsOneWithFileLine()
    {
        var run = await ExplainAsync("request: { host: api.example.com, sauce: 1.2.3.4 }\n");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{_file}:1:35: unknown field 'sauce' in a request file", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_MissingRequestFile_ExitsUsageError()
    {
        var run = await PolicyCommandRun.RunAsync("explain", RepoPaths.SamplePolicy, "--request", _file);

        Assert.Equal(64, run.ExitCode);
    }
}

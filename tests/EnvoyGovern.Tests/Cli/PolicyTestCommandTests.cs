using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Cli;

/// <summary><c>envoy-govern policy test DIR</c>.</summary>
public sealed class PolicyTestCommandTests
{
    private const string OneTest = """
        tests:
          - name: acme may use the stable model
            request: { method: POST, path: /v1/chat/completions, host: api.example.com, source: 198.51.100.7,
                       headers: { x-api-key: demo-key-acme }, body: '{"model":"gpt-4o"}' }
            expect: { decision: allow, headers: { x-governance-tenant: TENANT } }
        """;

    [Fact]
    public async Task Test_SamplePolicy_ExitsZeroWithAllPassed()
    {
        var run = await PolicyCommandRun.RunAsync("test", RepoPaths.SamplePolicy);

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("FAIL", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^[1-9][0-9]* passed, 0 failed$", run.Output);
        Assert.Contains("PASS a burst beyond the per-tenant quota gets 429", run.Output, StringComparison.Ordinal);
        Assert.Equal("", run.Error);
    }

    [Fact]
    public async Task Test_BrokenExpectation_ExitsOneAndNamesTheFailingTest()
    {
        using var policy = PolicyCommandRun.CopySamplePolicy();
        var path = Path.Combine(policy.Path, "tests", "api-example.yaml");
        await File.WriteAllTextAsync(path, (await File.ReadAllTextAsync(path)).Replace("x-governance-subject: acme-chat-service", "x-governance-subject: someone-else", StringComparison.Ordinal));

        var run = await PolicyCommandRun.RunAsync("test", policy.Path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(
            "FAIL acme may use the stable model, and forged identity headers are replaced: expected header x-governance-subject: someone-else, got x-governance-subject: acme-chat-service",
            run.Output,
            StringComparison.Ordinal);
        Assert.Matches(@"(?m)^[1-9][0-9]* passed, 1 failed$", run.Output);
    }

    [Fact]
    public async Task Test_WrongDecision_SaysWhatHappened()
    {
        using var policy = PolicyCommandRun.CopySamplePolicy();
        File.Delete(Path.Combine(policy.Path, "tests", "quota.yaml"));
        File.Delete(Path.Combine(policy.Path, "tests", "canary.yaml"));
        File.Delete(Path.Combine(policy.Path, "tests", "inspection.yaml"));
        PolicyCommandRun.WriteTests(policy, "api-example.yaml", OneTest.Replace("demo-key-acme", "not-a-key", StringComparison.Ordinal).Replace("TENANT", "acme", StringComparison.Ordinal));

        var run = await PolicyCommandRun.RunAsync("test", policy.Path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("FAIL acme may use the stable model: expected allow, got deny 401 invalid_api_key", run.Output, StringComparison.Ordinal);
        Assert.EndsWith("0 passed, 1 failed\n", run.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_InvalidPolicy_ExitsOneWithFileLineErrors()
    {
        using var policy = PolicyCommandRun.CopySamplePolicy();
        var path = Path.Combine(policy.Path, "api-example.yaml");
        await File.WriteAllTextAsync(path, (await File.ReadAllTextAsync(path)).Replace("effect: deny", "effect: maybe", StringComparison.Ordinal));

        var run = await PolicyCommandRun.RunAsync("test", policy.Path);

        Assert.Equal(1, run.ExitCode);
        Assert.Matches(@"(?m)^api-example\.yaml:[0-9]+:[0-9]+: /spec/rules/0/effect: ", run.Error);
        Assert.Contains("the policy would not be loaded", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("passed", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_UnknownFieldInTestFile_ExitsOneWithFileLine()
    {
        using var policy = PolicyCommandRun.CopySamplePolicy();
        PolicyCommandRun.WriteTests(policy, "typo.yaml", OneTest.Replace("expect:", "expcet:", StringComparison.Ordinal));

        var run = await PolicyCommandRun.RunAsync("test", policy.Path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{Path.Combine(policy.Path, "tests", "typo.yaml")}:5:5: unknown field 'expcet' in a test", run.Error, StringComparison.Ordinal);
        Assert.Contains("FAIL " + Path.Combine(policy.Path, "tests", "typo.yaml"), run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_NoTestFiles_ExitsOne()
    {
        using var policy = new PolicyDirectory(("allow.yaml", PolicyDirectory.AllowAll));

        var run = await PolicyCommandRun.RunAsync("test", policy.Path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no test files", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_TestsFolder_IsNotLoadedAsPolicy()
    {
        using var policy = new PolicyDirectory(("allow.yaml", PolicyDirectory.AllowAll));
        PolicyCommandRun.WriteTests(policy, "allow.yaml", """
            tests:
              - name: anything goes
                request: { host: any.example.com }
                expect: { decision: allow, headers: { x-governance-tenant: ~ } }
            """);

        var run = await PolicyCommandRun.RunAsync("test", policy.Path);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("PASS anything goes", run.Output, StringComparison.Ordinal);
        Assert.Contains("1 passed, 0 failed", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("test")]
    [InlineData("test", "a", "b")]
    [InlineData("explain", "dir")]
    [InlineData("explain", "dir", "--req", "file")]
    public async Task Run_BadArguments_ExitsUsageError(params string[] args)
    {
        var run = await PolicyCommandRun.RunAsync(args);

        Assert.Equal(64, run.ExitCode);
        Assert.Contains("policy test DIR", run.Error, StringComparison.Ordinal);
    }
}

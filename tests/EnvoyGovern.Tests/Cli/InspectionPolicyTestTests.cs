using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Cli;

/// <summary><c>envoy-govern policy test</c> with ExtProc tests (<c>service: extproc</c>).</summary>
public sealed class InspectionPolicyTestTests
{
    private const string Redaction = """
        tests:
          - name: the prompt is masked
            service: extproc
            request: { method: POST, path: /v1/chat/completions, host: api.example.com, headers: { content-type: application/json, x-governance-tenant: acme },
                       body: '{"model":"gpt-4o","max_tokens":10,"messages":[{"role":"user","content":"mail jane@example.com"}]}' }
            response: { status: 200, headers: { content-type: text/plain }, body: 'call +1 415 555 0100' }
            expect:
              decision: allow
              requestBody: 'EXPECTED'
              responseBody: 'call [PHONE]'
              findings: [pii.email, pii.phone]
        """;

    private static PolicyDirectory OnlyInspection(string tests)
    {
        var policy = PolicyCommandRun.CopySamplePolicy();
        foreach (var file in Directory.GetFiles(Path.Combine(policy.Path, "tests")))
        {
            File.Delete(file);
        }

        PolicyCommandRun.WriteTests(policy, "inspection.yaml", tests);
        return policy;
    }

    [Fact]
    public async Task Test_InspectionExpectationsMet_Passes()
    {
        using var policy = OnlyInspection(Redaction.Replace("EXPECTED", """{"model":"gpt-4o","max_tokens":10,"messages":[{"role":"user","content":"mail [EMAIL]"}]}""", StringComparison.Ordinal));

        var run = await PolicyCommandRun.RunAsync("test", policy.Path);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("PASS the prompt is masked", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_InspectionExpectationWrong_SaysWhatTheUpstreamGot()
    {
        using var policy = OnlyInspection(Redaction.Replace("EXPECTED", "unchanged", StringComparison.Ordinal));

        var run = await PolicyCommandRun.RunAsync("test", policy.Path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("""FAIL the prompt is masked: expected the upstream to receive unchanged, got {"model":"gpt-4o","max_tokens":10,"messages":[{"role":"user","content":"mail [EMAIL]"}]}""", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_ResponseWithoutExtProc_ErrorAtItsLine()
    {
        using var policy = OnlyInspection(Redaction.Replace("    service: extproc\n", string.Empty, StringComparison.Ordinal));

        var run = await PolicyCommandRun.RunAsync("test", policy.Path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("inspection.yaml:5:15: test 'the prompt is masked': 'response' is for ExtProc tests (service: extproc)", run.Error, StringComparison.Ordinal);
    }
}

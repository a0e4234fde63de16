using EnvoyGovern.Cli.PolicyTesting;

namespace EnvoyGovern.Tests.Cli;

/// <summary>Test files are read strictly: every mistake is an error at its line.</summary>
public sealed class TestFileReaderTests
{
    private static (IReadOnlyList<PolicyTestCase> Tests, List<string> Errors) Read(string text)
    {
        var errors = new List<string>();
        return (TestFileReader.ReadTests("t.yaml", text, errors), errors);
    }

    [Fact]
    public void ReadTests_FullTest_ReadsEveryField()
    {
        var (tests, errors) = Read("""
            tests:
              - name: n
                time: 2026-11-26T10:00:00Z
                repeat: 3
                request: { method: POST, path: /p, host: H.example.com, scheme: http, source: '::1', principal: spiffe://x,
                           headers: { X-A: '1' }, body: '{}', contextExtensions: { policy: p } }
                expect: { decision: deny, status: 429, reason: r, headers: { Retry-After: '*', x-gone: ~ } }
            """);

        Assert.Empty(errors);
        var test = Assert.Single(tests);
        Assert.Equal(("n", 2, 3, new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero)), (test.Name, test.Line, test.Repeat, test.Time!.Value));
        Assert.Equal(("POST", "/p", "H.example.com", "http", "::1", "spiffe://x", "{}"), (test.Request.Method, test.Request.Path, test.Request.Host, test.Request.Scheme, test.Request.Source, test.Request.Principal, test.Request.Body));
        Assert.Equal([new("x-a", "1")], test.Request.Headers);
        Assert.Equal("p", test.Request.ContextExtensions["policy"]);
        Assert.Equal([new("retry-after", "*"), new("x-gone", null)], test.Expect.Headers);
        Assert.Equal(("deny", 429, "r"), (test.Expect.Decision, test.Expect.Status!.Value, test.Expect.Reason));
    }

    [Theory]
    [InlineData("tests:\n  - { name: n, request: { host: h }, expect: { decision: allow }, extra: 1 }\n", "t.yaml:2:67: unknown field 'extra' in a test")]
    [InlineData("tests:\n  - { name: n, request: { host: h, header: {} }, expect: { decision: allow } }\n", "t.yaml:2:36: unknown field 'header'")]
    [InlineData("tests:\n  - { name: n, request: { host: h }, expect: { decision: maybe } }\n", "'decision' must be allow or deny")]
    [InlineData("tests:\n  - { name: n, request: { host: h, source: somewhere }, expect: { decision: allow } }\n", "'source' must be an IP address")]
    [InlineData("tests:\n  - { name: n, request: { host: h, headers: { ':path': / } }, expect: { decision: allow } }\n", "instead of pseudo-headers")]
    [InlineData("tests:\n  - { name: n, request: { host: h }, expect: { decision: deny, status: 4040 } }\n", "'status' must be a whole number from 100 to 599")]
    [InlineData("tests:\n  - { name: n, request: { host: h }, expect: { decision: allow } }\n  - { name: n, request: { host: h }, expect: { decision: allow } }\n", "t.yaml:3:5: test 'n': the name is used twice")]
    [InlineData("tests:\n  - { name: n, expect: { decision: allow } }\n", "t.yaml:2:5: test 'n' needs 'request'")]
    [InlineData("tests: [\n", "t.yaml:2:1: not valid YAML")]
    [InlineData("test: []\n", "unknown field 'test' in a test file")]
    public void ReadTests_Mistake_ErrorAtItsLine(string text, string error)
    {
        var (_, errors) = Read(text);

        Assert.Contains(errors, e => e.Contains(error, StringComparison.Ordinal));
    }
}

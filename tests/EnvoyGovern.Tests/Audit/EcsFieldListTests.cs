using EnvoyGovern.Governance.Audit.Recording;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Audit;

/// <summary>The ECS check that every record in the in-process tests goes through: it must catch what it is for.</summary>
public sealed class EcsFieldListTests
{
    private const string Valid = """
        {"@timestamp":"2026-11-26T12:00:00Z","ecs":{"version":"9.4.0"},"event":{"id":"a","kind":"event","action":"x","outcome":"success","duration":5,"type":["access","allowed"]},"source":{"ip":"198.51.100.7","port":40000},"envoygovern.audit.chain.seq":1,"envoygovern":{"anything":{"goes":[1,"a"]}}}
        """;

    [Fact]
    public void Validate_ConformingRecord_NoProblem() =>
        Assert.Empty(EcsFieldList.Default.Validate(System.Text.Encoding.UTF8.GetBytes(Valid)));

    [Theory]
    [InlineData("\"duration\":5", "\"duration\":\"5\"", "event.duration is ECS type long")]
    [InlineData("\"ip\":\"198.51.100.7\"", "\"ip\":\"not-an-ip\"", "source.ip is ECS type ip")]
    [InlineData("\"kind\":\"event\"", "\"kind\":\"audit\"", "event.kind value 'audit'")]
    [InlineData("\"port\":40000", "\"port\":40000,\"tenant\":\"acme\"", "source.tenant is not an ECS field")]
    [InlineData("\"envoygovern.audit.chain.seq\":1", "\"decision_id\":\"x\"", "decision_id is not an ECS field")]
    [InlineData("\"outcome\":\"success\",", "", "event.outcome is missing")]
    public void Validate_NonConformingRecord_NamesTheField(string from, string to, string problem)
    {
        var record = Valid.Replace(from, to, StringComparison.Ordinal);

        var problems = EcsFieldList.Default.Validate(System.Text.Encoding.UTF8.GetBytes(record));

        Assert.Contains(problems, p => p.Contains(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void Version_RecordsFollowTheSharedList() => Assert.Equal(EcsFields.Version, EcsFieldList.Default.Version);
}

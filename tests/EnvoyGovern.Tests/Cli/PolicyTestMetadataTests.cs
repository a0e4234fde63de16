using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Cli;

/// <summary>
/// <c>policy test</c> requests can carry the dynamic metadata Envoy forwards, so policies that trust
/// jwt_authn (<c>envoyJwt</c>) are testable like the others.
/// </summary>
public sealed class PolicyTestMetadataTests
{
    private const string Policy = """
        apiVersion: governance.envoygovern.io/v1
        kind: GovernancePolicy
        metadata: { name: gateway-verified }
        spec:
          hosts: [api.example.com]
          identity:
            - envoyJwt: {}
          rules:
            - { name: ml-team, effect: allow, when: { groups: [ml] } }
        """;

    private const string Tests = """
        tests:
          - name: jwt_authn payload with the ml group is allowed
            request:
              host: api.example.com
              metadata:
                envoy.filters.http.jwt_authn:
                  jwt_payload: { sub: alice, tenant: acme, groups: [ml, admins], exp: 1900000000 }
            expect: { decision: allow, headers: { x-governance-tenant: acme, x-governance-groups: "ml,admins" } }
          - name: without jwt_authn metadata the caller is anonymous
            request: { host: api.example.com }
            expect: { decision: deny, status: 401 }
          - name: another group is not allowed
            request:
              host: api.example.com
              metadata: { envoy.filters.http.jwt_authn: { jwt_payload: { sub: bob, tenant: acme, groups: [sales] } } }
            expect: { decision: deny, status: 403, reason: no_matching_rule }
        """;

    [Fact]
    public async Task Test_EnvoyJwtPolicyWithMetadataRequests_AllPass()
    {
        using var policy = new PolicyDirectory(("policy.yaml", Policy));
        PolicyCommandRun.WriteTests(policy, "jwt.yaml", Tests);

        var run = await PolicyCommandRun.RunAsync("test", policy.Path);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("3 passed, 0 failed", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_MetadataNotAMapping_ExitsOneWithFileLine()
    {
        using var policy = new PolicyDirectory(("policy.yaml", Policy));
        PolicyCommandRun.WriteTests(policy, "jwt.yaml", Tests.Replace("metadata: { envoy.filters.http.jwt_authn: { jwt_payload: { sub: bob, tenant: acme, groups: [sales] } } }", "metadata: { envoy.filters.http.jwt_authn: bob }", StringComparison.Ordinal));

        var run = await PolicyCommandRun.RunAsync("test", policy.Path);

        Assert.Equal(1, run.ExitCode);
        Assert.Matches(@"jwt\.yaml:[0-9]+:[0-9]+: .*metadata\.envoy\.filters\.http\.jwt_authn' must be a mapping", run.Error + run.Output);
    }
}

using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Tests.Policy;
using EnvoyGovern.TestSupport;
using AuthorizationClient = Envoy.Service.Auth.V3.Authorization.AuthorizationClient;

namespace EnvoyGovern.Tests.Access;

public sealed class DryRunAndSpoofingTests
{
    private static async Task<Envoy.Service.Auth.V3.CheckResponse> CheckAsync(string policy, EnvoyCheckRequestBuilder request)
    {
        using var directory = new PolicyDirectory(("p.yaml", policy));
        await using var service = await RunningService.StartExtAuthzAsync(null, directory.Setting);
        return await new AuthorizationClient(service.Channel).CheckAsync(request.Build());
    }

    [Fact]
    public async Task Check_DryRunDenyRule_AllowsAndRecordsShadowDecision()
    {
        var response = await CheckAsync(PolicyTexts.DryRunDeleteDeny, new EnvoyCheckRequestBuilder().Method("DELETE"));

        Assert.Equal(0, response.Status.Code);
        Assert.Equal("block-deletes", response.DynamicMetadata.Fields["dry_run_rule"].StringValue);
        Assert.Equal("deny", response.DynamicMetadata.Fields["dry_run_decision"].StringValue);
    }

    [Fact]
    public async Task Check_EnforcedDenyRule_Denies()
    {
        var policy = PolicyTexts.Document("p", """
            rules:
              - name: everyone
                effect: allow
              - name: block-deletes
                effect: deny
                reason: deletes_blocked
                when: { methods: [DELETE] }
            """);

        var response = await CheckAsync(policy, new EnvoyCheckRequestBuilder().Method("DELETE"));

        Assert.Equal(403, (int)response.DeniedResponse.Status.Code);
        Assert.Contains("deletes_blocked", response.DeniedResponse.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_DryRunDocumentWithNoAllow_AllowsAndRecordsDefaultDeny()
    {
        var policy = PolicyTexts.Document("p", """
            dryRun: true
            rules:
              - name: only-get
                effect: allow
                when: { methods: [GET] }
            """);

        var response = await CheckAsync(policy, new EnvoyCheckRequestBuilder().Method("POST"));

        Assert.Equal(0, response.Status.Code);
        Assert.Equal("deny", response.DynamicMetadata.Fields["dry_run_decision"].StringValue);
    }

    [Fact]
    public async Task Check_AnonymousCallerForgesIdentityHeaders_HeadersRemoved()
    {
        var request = new EnvoyCheckRequestBuilder()
            .Header(GovernanceHeaders.Tenant, "admin-tenant")
            .Header(GovernanceHeaders.Groups, "admins");

        var response = await CheckAsync(PolicyDirectory.AllowAll, request);

        Assert.Equal(0, response.Status.Code);
        Assert.Contains(GovernanceHeaders.Tenant, response.OkResponse.HeadersToRemove);
        Assert.Contains(GovernanceHeaders.Groups, response.OkResponse.HeadersToRemove);
        Assert.DoesNotContain(response.OkResponse.Headers, h => h.Header.Key == GovernanceHeaders.Tenant);
    }

    [Fact]
    public async Task Check_BadInputs_ClearDenialsNotCrashes()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var key = rsa.ExportParameters(false);
        var jwks = $$"""{"keys":[{"kty":"RSA","kid":"k1","use":"sig","alg":"RS256","n":"{{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(key.Modulus)}}","e":"{{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(key.Exponent)}}"}]}""";
        var policy = PolicyTexts.Document("p", $$"""
            identity:
              - jwt:
                  issuer: https://issuer.example
                  jwks: { inline: '{{jwks}}' }
            rules:
              - name: users
                effect: allow
                when: { authenticated: true }
            """);

        var malformed = await CheckAsync(policy, new EnvoyCheckRequestBuilder().Header("authorization", "Bearer not.a.jwt"));
        var huge = await CheckAsync(policy, new EnvoyCheckRequestBuilder().Header("authorization", "Bearer " + new string('a', 64 * 1024)));

        Assert.Equal(401, (int)malformed.DeniedResponse.Status.Code);
        Assert.Equal(401, (int)huge.DeniedResponse.Status.Code);
        Assert.Contains("malformed_token", huge.DeniedResponse.Body, StringComparison.Ordinal);
    }
}

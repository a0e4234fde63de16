using Envoy.Service.Auth.V3;
using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.TestSupport;
using AuthorizationClient = Envoy.Service.Auth.V3.Authorization.AuthorizationClient;

namespace EnvoyGovern.Tests.Access;

/// <summary>The README's demo policy (envoy-config/policy) decided over a real gRPC client.</summary>
public sealed class SamplePolicyDecisionTests : IAsyncLifetime
{
    private const string AcmeKey = "demo-key-acme";
    private const string GlobexKey = "demo-key-globex";

    private RunningService _service = null!;

    private AuthorizationClient Client => new(_service.Channel);

    public async Task InitializeAsync() =>
        _service = await RunningService.StartExtAuthzAsync(null, $"--Policy:Directory={RepoPaths.SamplePolicy}");

    public async Task DisposeAsync() => await _service.DisposeAsync();

    private static EnvoyCheckRequestBuilder Chat(string model, string? key = null, string source = "198.51.100.7")
    {
        var builder = new EnvoyCheckRequestBuilder()
            .Method("POST").Path("/v1/chat/completions").Authority("api.example.com").Scheme("https")
            .Source(source, 40000)
            .Body(System.Text.Encoding.UTF8.GetBytes($"{{\"model\":\"{model}\",\"messages\":[]}}"));
        return key is null ? builder : builder.Header("x-api-key", key);
    }

    [Fact]
    public async Task Check_NoCredentials_401WithChallenge()
    {
        var response = await Client.CheckAsync(Chat("gpt-4o").Build());

        AssertDenied(response, 401, "authentication_required");
        Assert.Contains(response.DeniedResponse.Headers, h => h.Header.Key == "www-authenticate");
    }

    [Fact]
    public async Task Check_UnknownKey_401InvalidKey()
    {
        var response = await Client.CheckAsync(Chat("gpt-4o", "not-a-key").Build());

        AssertDenied(response, 401, "invalid_api_key");
        Assert.DoesNotContain("not-a-key", response.DeniedResponse.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_AcmeStableModel_AllowedWithIdentityHeaders()
    {
        var response = await Client.CheckAsync(Chat("gpt-4o", AcmeKey).Header("x-governance-tenant", "forged").Build());

        Assert.Equal(0, response.Status.Code);
        Assert.Empty(CheckResponseRules.Validate(response));
        Assert.Equal("acme", Header(response, GovernanceHeaders.Tenant));
        Assert.Equal("acme-chat-service", Header(response, GovernanceHeaders.Subject));
        Assert.Equal("gpt-4o", Header(response, GovernanceHeaders.Model));
        Assert.Equal("2024-08-06", Header(response, GovernanceHeaders.ModelVersion));
        Assert.Matches("^[0-9a-f]{16}$", Header(response, GovernanceHeaders.PolicyVersion));
        Assert.Equal("chat-stable-version", response.DynamicMetadata.Fields["rule"].StringValue);
    }

    [Fact]
    public async Task Check_NewVersionWithoutEarlyAccess_403()
    {
        var response = await Client.CheckAsync(Chat("gpt-4o-2024-11-20", AcmeKey).Build());

        AssertDenied(response, 403, "no_matching_rule");
    }

    [Fact]
    public async Task Check_NewVersionWithEarlyAccess_Allowed()
    {
        var response = await Client.CheckAsync(Chat("gpt-4o-2024-11-20", GlobexKey).Build());

        Assert.Equal(0, response.Status.Code);
        Assert.Equal("developers,early-access", Header(response, GovernanceHeaders.Groups));
    }

    [Fact]
    public async Task Check_EmbargoedRegion_403WithReasonInProblemBody()
    {
        var response = await Client.CheckAsync(Chat("gpt-4o", AcmeKey, source: "203.0.113.9").Build());

        AssertDenied(response, 403, "region_not_allowed");
        Assert.Contains("\"detail\":\"This service is not available in your region.\"", response.DeniedResponse.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_PlainHttp_308RedirectToHttps()
    {
        var response = await Client.CheckAsync(Chat("gpt-4o", AcmeKey).Scheme("http").Build());

        AssertDenied(response, 308, "tls_redirect");
        Assert.Equal("https://api.example.com/v1/chat/completions", response.DeniedResponse.Headers.Single(h => h.Header.Key == "location").Header.Value);
    }

    [Fact]
    public async Task Check_OtherHost_403NoPolicy()
    {
        var response = await Client.CheckAsync(Chat("gpt-4o", AcmeKey).Authority("other.example.com").Build());

        AssertDenied(response, 403, "no_policy");
    }

    [Fact]
    public async Task Check_BurstExhausted_429WithRetryAfter()
    {
        // Burst 10, refilled at 5/s in real time: a slow test host refills a few tokens while it sends, so
        // keep sending (bounded) until the bucket is empty rather than assuming exactly 11 calls.
        CheckResponse? last = null;
        for (var i = 0; i < 100 && last?.Status.Code is null or 0; i++)
        {
            last = await Client.CheckAsync(Chat("text-embedding-3-small", GlobexKey).Path("/v1/embeddings").Build());
        }

        AssertDenied(last!, 429, "quota_exceeded");
        Assert.Contains(last!.DeniedResponse.Headers, h => h.Header.Key == "retry-after");
    }

    [Fact]
    public async Task Check_ClientSendsClusterHeader_OverwrittenWithTheChosenCluster()
    {
        var response = await Client.CheckAsync(Chat("gpt-4o", GlobexKey).Header("x-governance-cluster", "upstream_canary").Header("x-canary-opt-out", "1").Build());

        Assert.Equal(0, response.Status.Code);
        Assert.Empty(CheckResponseRules.Validate(response));
        var cluster = Assert.Single(response.OkResponse.Headers, h => h.Header.Key == "x-governance-cluster");
        Assert.Equal("upstream_stable", cluster.Header.Value);
        Assert.Equal(Envoy.Config.Core.V3.HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExistsOrAdd, cluster.AppendAction);
        Assert.Equal("opt_out", response.DynamicMetadata.Fields["canary_reason"].StringValue);
    }

    [Fact]
    public async Task Check_GlobexOptsIn_CanaryClusterAndVersion()
    {
        var response = await Client.CheckAsync(Chat("gpt-4o", GlobexKey).Header("x-canary-opt-in", "true").Build());

        Assert.Equal("upstream_canary", Header(response, "x-governance-cluster"));
        Assert.Equal("2024-11-20", Header(response, GovernanceHeaders.ModelVersion));
        Assert.Equal("gpt-4o-nov", response.DynamicMetadata.Fields["canary"].StringValue);
    }

    private static string Header(CheckResponse response, string name) =>
        Assert.Single(response.OkResponse.Headers, h => h.Header.Key == name).Header.Value;

    private static void AssertDenied(CheckResponse response, int status, string reason)
    {
        Assert.NotEqual(0, response.Status.Code);
        Assert.Equal(status, (int)response.DeniedResponse.Status.Code);
        Assert.Contains($"\"reason\":\"{reason}\"", response.DeniedResponse.Body, StringComparison.Ordinal);
        Assert.Empty(CheckResponseRules.Validate(response));
    }
}

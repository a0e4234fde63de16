using Envoy.Service.Auth.V3;
using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.Tests.Policy;
using EnvoyGovern.TestSupport;
using AuthorizationClient = Envoy.Service.Auth.V3.Authorization.AuthorizationClient;

namespace EnvoyGovern.Tests.Access;

/// <summary>Headers a client could forge count only from the proxies the policy trusts.</summary>
public sealed class RegionAndTlsTests : IAsyncLifetime, IDisposable
{
    private static readonly string Policy = PolicyTexts.Document("p", """
        region:
          header: x-edge-region
          trustedProxies: [10.0.0.0/8]
          networks: [{ cidr: 192.0.2.0/24, region: lab }]
        tls:
          action: deny
          trustedProxies: [10.0.0.0/8]
        rules:
          - name: eu-only
            effect: deny
            reason: region_not_allowed
            when: { notRegions: [eu] }
          - name: everyone
            effect: allow
        """);

    private readonly PolicyDirectory _directory = new(("p.yaml", Policy));
    private RunningService _service = null!;

    public async Task InitializeAsync() => _service = await RunningService.StartExtAuthzAsync(null, _directory.Setting);

    public async Task DisposeAsync() => await _service.DisposeAsync();

    public void Dispose() => _directory.Dispose();

    private Task<CheckResponse> CheckAsync(EnvoyCheckRequestBuilder request) => new AuthorizationClient(_service.Channel).CheckAsync(request.Build()).ResponseAsync;

    [Fact]
    public async Task Check_RegionHeaderFromTrustedProxy_Believed()
    {
        var response = await CheckAsync(new EnvoyCheckRequestBuilder().Source("10.1.2.3", 5000).Header("x-edge-region", "eu"));

        Assert.Equal(0, response.Status.Code);
        Assert.Equal("eu", response.DynamicMetadata.Fields["region"].StringValue);
    }

    [Fact]
    public async Task Check_RegionHeaderFromClient_IgnoredAndNetworkUsed()
    {
        var response = await CheckAsync(new EnvoyCheckRequestBuilder().Source("192.0.2.10", 5000).Header("x-edge-region", "eu"));

        Assert.Equal(403, (int)response.DeniedResponse.Status.Code);
        Assert.Contains("region_not_allowed", response.DeniedResponse.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_PlainHttpWithDenyAction_403TlsRequired()
    {
        var response = await CheckAsync(new EnvoyCheckRequestBuilder().Scheme("http").Source("10.1.2.3", 5000).Header("x-edge-region", "eu"));

        Assert.Equal(403, (int)response.DeniedResponse.Status.Code);
        Assert.Contains("tls_required", response.DeniedResponse.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_ForwardedProtoHttpsFromTrustedProxy_CountsAsTls()
    {
        var trusted = await CheckAsync(new EnvoyCheckRequestBuilder().Scheme("http").Source("10.1.2.3", 5000)
            .Header("x-forwarded-proto", "https").Header("x-edge-region", "eu"));
        var untrusted = await CheckAsync(new EnvoyCheckRequestBuilder().Scheme("http").Source("198.51.100.1", 5000)
            .Header("x-forwarded-proto", "https"));

        Assert.Equal(0, trusted.Status.Code);
        Assert.Contains("tls_required", untrusted.DeniedResponse.Body, StringComparison.Ordinal);
    }
}

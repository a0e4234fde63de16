using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EnvoyGovern.Integration.Tests;

/// <summary>
/// Real HTTP through the real Envoy with the shipped bootstrap. Each test starts its own stack: one of
/// them stops ExtAuthz, and order between tests is not guaranteed.
/// </summary>
public sealed partial class GovernedEnvoyTests
{
    private const string ClusterHeader = "x-governance-cluster";
    private const string DecisionHeader = "x-governance-decision";
    private const string DecisionIdHeader = "x-governance-decision-id";

    [DockerFact]
    public async Task GetV1Models_ClientSetsCanaryClusterHeader_Returns503AndReachesNoUpstream()
    {
        await using var stack = await GovernedEnvoy.StartAsync();
        var allowedBefore = await stack.Admin.CounterAsync("http.ingress_http.ext_authz.ok");
        var noClusterBefore = await stack.Admin.CounterAsync("http.ingress_http.no_cluster");

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/v1/models", UriKind.Relative));
        request.Headers.Add(ClusterHeader, "upstream_canary");
        using var response = await stack.Client.SendAsync(request);

        // The early header mutation drops the client's header, and ExtAuthz (no canary step yet) names
        // no cluster, so the /v1/ route has none: cluster_not_found_response_code, never a fallback.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Empty(stack.Canary.Received);
        Assert.Empty(stack.Stable.Received);
        // It was the route, not governance: ExtAuthz allowed the request, the router found no cluster.
        Assert.Equal(1, await stack.Admin.CounterAsync("http.ingress_http.ext_authz.ok") - allowedBefore);
        Assert.Equal(1, await stack.Admin.CounterAsync("http.ingress_http.no_cluster") - noClusterBefore);
    }

    [DockerFact]
    public async Task GetHealthz_ServicesUp_UpstreamSeesAllowDecisionWithDecisionId()
    {
        await using var stack = await GovernedEnvoy.StartAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/healthz", UriKind.Relative));
        request.Headers.Add(ClusterHeader, "upstream_canary");
        using var response = await stack.Client.SendAsync(request);
        var seen = JsonSerializer.Deserialize<Dictionary<string, string>>(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("stable", Assert.Single(response.Headers.GetValues(EchoUpstream.NameHeader)));
        Assert.Single(stack.Stable.Received);
        Assert.Empty(stack.Canary.Received);
        Assert.NotNull(seen);
        var headers = new Dictionary<string, string>(seen, StringComparer.OrdinalIgnoreCase);
        Assert.Equal("allow", headers[DecisionHeader]);
        var decisionId = headers[DecisionIdHeader];
        Assert.Matches(DecisionId(), decisionId);
        // The client's routing header never reaches the application.
        Assert.False(headers.ContainsKey(ClusterHeader));
        // ExtAuthz also returns the id to the client, for correlating with the audit record.
        Assert.Equal(decisionId, Assert.Single(response.Headers.GetValues(DecisionIdHeader)));
    }

    [DockerFact]
    public async Task GetHealthz_ExtAuthzStopped_FailsClosedWith503()
    {
        await using var stack = await GovernedEnvoy.StartAsync();
        var errorsBefore = await stack.Admin.CounterAsync("http.ingress_http.ext_authz.error");

        await stack.StopExtAuthzAsync();
        using var response = await stack.Client.GetAsync(new Uri("/healthz", UriKind.Relative));

        // failure_mode_allow: false with status_on_error 503: governance down stops traffic, and
        // reads differently from a policy denial (403).
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Empty(stack.Stable.Received);
        Assert.False(response.Headers.Contains(DecisionHeader));
        Assert.Equal(1, await stack.Admin.CounterAsync("http.ingress_http.ext_authz.error") - errorsBefore);
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex DecisionId();
}

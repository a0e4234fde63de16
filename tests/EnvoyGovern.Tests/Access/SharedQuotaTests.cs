using EnvoyGovern.Tests.Policy;
using EnvoyGovern.Tests.Quotas;
using EnvoyGovern.TestSupport;
using AuthorizationClient = Envoy.Service.Auth.V3.Authorization.AuthorizationClient;

namespace EnvoyGovern.Tests.Access;

/// <summary>Two ExtAuthz replicas with the Redis quota store spend one budget.</summary>
public sealed class SharedQuotaTests
{
    [RedisFact]
    public async Task Check_TwoReplicasWithRedis_ShareOneBudget()
    {
        var policy = PolicyTexts.Document("p", $$"""
            quotas:
              - name: shared-{{Guid.NewGuid():N}}
                per: route
                requestsPerSecond: 0.01
                burst: 4
            rules:
              - name: everyone
                effect: allow
            """);
        using var directory = new PolicyDirectory(("p.yaml", policy));
        string[] settings =
        [
            directory.Setting,
            "--Quotas:Store=Redis",
            $"--Quotas:Redis:Configuration={RedisTestServer.Configuration}",
            $"--Quotas:Redis:Timeout={RedisTestServer.CallTimeoutSetting}",
        ];
        await using var first = await RunningService.StartExtAuthzAsync(null, settings);
        await using var second = await RunningService.StartExtAuthzAsync(null, settings);
        var clients = new[] { new AuthorizationClient(first.Channel), new AuthorizationClient(second.Channel) };

        var codes = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            var response = await clients[i % 2].CheckAsync(new Conformance.CheckRequests.EnvoyCheckRequestBuilder().Build());
            codes.Add(response.Status.Code == 0 ? 200 : (int)response.DeniedResponse.Status.Code);
        }

        // Four tokens in all, whichever replica takes them; the fifth and sixth calls find the bucket empty.
        Assert.Equal([200, 200, 200, 200, 429, 429], codes);
    }
}

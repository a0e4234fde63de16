using System.Net;
using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.TestSupport;
using Grpc.Core;
using Grpc.Health.V1;
using AuthorizationClient = Envoy.Service.Auth.V3.Authorization.AuthorizationClient;

namespace EnvoyGovern.Tests.Hosting;

public sealed class AdminAndHealthTests
{
    [Theory]
    [InlineData("")]
    [InlineData("envoy.service.auth.v3.Authorization")]
    public async Task HealthCheck_ExtAuthzRunning_Serving(string serviceName)
    {
        await using var service = await RunningService.StartExtAuthzAsync();

        var reply = await new Health.HealthClient(service.Channel).CheckAsync(new HealthCheckRequest { Service = serviceName });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task HealthCheck_ExtProcRunning_Serving()
    {
        await using var service = await RunningService.StartExtProcAsync();

        var reply = await new Health.HealthClient(service.Channel).CheckAsync(
            new HealthCheckRequest { Service = "envoy.service.ext_proc.v3.ExternalProcessor" });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Reflection_ListServices_IncludesAuthorizationAndHealth()
    {
        await using var service = await RunningService.StartExtAuthzAsync();
        using var call = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(service.Channel).ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = string.Empty });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToArray();

        Assert.Contains("envoy.service.auth.v3.Authorization", names);
        Assert.Contains("grpc.health.v1.Health", names);
    }

    [Fact]
    public async Task Metrics_AfterCheck_ServesPrometheusTextWithCallsByResult()
    {
        await using var service = await RunningService.StartExtAuthzAsync();
        await new AuthorizationClient(service.Channel).CheckAsync(new EnvoyCheckRequestBuilder().Build());

        using var response = await service.Admin.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("envoygovern_grpc_calls_total{service=\"ExtAuthz\",method=\"Check\",code=\"OK\"}", text, StringComparison.Ordinal);
        Assert.Contains("envoygovern_grpc_call_duration_seconds_bucket{service=\"ExtAuthz\",method=\"Check\"", text, StringComparison.Ordinal);
        Assert.Contains("envoygovern_extauthz_decisions_total{outcome=\"allow\",reason=\"allowed\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probes_AdminEndpoint_HealthyAndReady()
    {
        await using var service = await RunningService.StartExtProcAsync();

        using var live = await service.Admin.GetAsync("/healthz");
        using var ready = await service.Admin.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"status\":\"Healthy\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endpoints_WrongListener_NotFound()
    {
        await using var service = await RunningService.StartExtAuthzAsync();
        using var h2c = new HttpClient(new SocketsHttpHandler())
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var metricsOnGrpcPort = await h2c.GetAsync($"http://127.0.0.1:{service.GrpcPort}/metrics");
        using var grpcOnAdminPort = await service.Admin.PostAsync("/envoy.service.auth.v3.Authorization/Check", new ByteArrayContent([]));

        Assert.Equal(HttpStatusCode.NotFound, metricsOnGrpcPort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, grpcOnAdminPort.StatusCode);
    }
}

using System.Globalization;
using Envoy.Service.Auth.V3;
using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.TestSupport;
using Grpc.Core;
using Grpc.Health.V1;
using AuthorizationClient = Envoy.Service.Auth.V3.Authorization.AuthorizationClient;

namespace EnvoyGovern.Tests.Hosting;

/// <summary>
/// The gRPC call series (envoygovern_grpc_calls_total, envoygovern_grpc_call_duration_seconds) over a real client:
/// every call of a mapped method, by the status the client received. The registry is shared by every service that
/// a test process starts, so each test compares a series before and after its own calls.
/// </summary>
public sealed class GrpcCallMetricsTests
{
    private const string Calls = "envoygovern_grpc_calls_total";
    private const string Durations = "envoygovern_grpc_call_duration_seconds_count";

    [Fact]
    public async Task Check_Allowed_CountedOkAndTimed()
    {
        await using var service = await RunningService.StartExtAuthzAsync();
        var calls = Series(Calls, "ExtAuthz", "Check", "OK");
        var timed = Series(Durations, "ExtAuthz", "Check");
        var before = await ReadAsync(service, calls, timed);

        await new AuthorizationClient(service.Channel).CheckAsync(new EnvoyCheckRequestBuilder().Build());

        var after = await ReadAsync(service, calls, timed);
        Assert.True(after[0] >= before[0] + 1, $"calls {before[0]} -> {after[0]}");
        Assert.True(after[1] >= before[1] + 1, $"timed {before[1]} -> {after[1]}");
    }

    [Fact]
    public async Task Check_Malformed_CountedByTheStatusTheClientReceived()
    {
        await using var service = await RunningService.StartExtAuthzAsync();
        var invalid = Series(Calls, "ExtAuthz", "Check", "INVALID_ARGUMENT");
        var before = await ReadAsync(service, invalid);

        var failure = await Assert.ThrowsAsync<RpcException>(async () => await new AuthorizationClient(service.Channel).CheckAsync(new CheckRequest()));

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
        var after = await ReadAsync(service, invalid);
        Assert.True(after[0] >= before[0] + 1, $"{before[0]} -> {after[0]}");
    }

    [Fact]
    public async Task UnknownMethod_Unimplemented_NeverALabel()
    {
        await using var service = await RunningService.StartExtAuthzAsync();
        var marshaller = Marshallers.Create<CheckRequest>(r => Google.Protobuf.MessageExtensions.ToByteArray(r), CheckRequest.Parser.ParseFrom);
        var unknown = new Method<CheckRequest, CheckRequest>(MethodType.Unary, "envoy.service.auth.v3.Authorization", "NoSuchMethodForMetrics", marshaller, marshaller);

        var failure = await Assert.ThrowsAsync<RpcException>(async () =>
            await service.Channel.CreateCallInvoker().AsyncUnaryCall(unknown, null, default, new EnvoyCheckRequestBuilder().Build()));

        Assert.Equal(StatusCode.Unimplemented, failure.StatusCode);
        Assert.DoesNotContain("NoSuchMethodForMetrics", await MetricsTextAsync(service), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_ExtProc_CountedUnderItsService()
    {
        await using var service = await RunningService.StartExtProcAsync();
        var calls = Series(Calls, "ExtProc", "Check", "OK");
        var before = await ReadAsync(service, calls);

        await new Health.HealthClient(service.Channel).CheckAsync(new HealthCheckRequest());

        var after = await ReadAsync(service, calls);
        Assert.True(after[0] >= before[0] + 1, $"{before[0]} -> {after[0]}");
    }

    [Fact]
    public async Task Reflection_DuplexStream_CountedWhenItEnds()
    {
        await using var service = await RunningService.StartExtAuthzAsync();
        var calls = Series(Calls, "ExtAuthz", "ServerReflectionInfo", "OK");
        var before = await ReadAsync(service, calls);

        using (var call = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(service.Channel).ServerReflectionInfo())
        {
            await call.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = string.Empty });
            await call.RequestStream.CompleteAsync();
            while (await call.ResponseStream.MoveNext())
            {
            }
        }

        // The stream's end reaches the server after the client saw its trailers: give the count a moment.
        var after = before;
        for (var i = 0; i < 50 && after[0] < before[0] + 1; i++)
        {
            await Task.Delay(20);
            after = await ReadAsync(service, calls);
        }

        Assert.True(after[0] >= before[0] + 1, $"{before[0]} -> {after[0]}");
    }

    private static string Series(string name, string service, string method, string? code = null) =>
        code is null
            ? $"{name}{{service=\"{service}\",method=\"{method}\"}} "
            : $"{name}{{service=\"{service}\",method=\"{method}\",code=\"{code}\"}} ";

    private static async Task<double[]> ReadAsync(RunningService service, params string[] series)
    {
        var text = await MetricsTextAsync(service);
        return [.. series.Select(s => ValueOf(text, s))];
    }

    private static async Task<string> MetricsTextAsync(RunningService service)
    {
        using var response = await service.Admin.GetAsync("/metrics");
        return await response.Content.ReadAsStringAsync();
    }

    private static double ValueOf(string text, string series)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(series, StringComparison.Ordinal))
            {
                return double.Parse(line.AsSpan(series.Length), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}

using Envoy.Service.Auth.V3;
using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Tests.Fixtures;
using EnvoyGovern.TestSupport;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using AuthorizationClient = Envoy.Service.Auth.V3.Authorization.AuthorizationClient;

namespace EnvoyGovern.Tests.ExtAuthz;

/// <summary>Check over a real gRPC client against the service on loopback, judged by Envoy's rules.</summary>
public sealed class AuthorizationGrpcTests
{
    [Fact]
    public async Task Check_WellFormedRequest_AllowsWithDecisionHeaders()
    {
        await using var service = await RunningService.StartExtAuthzAsync();
        var client = new AuthorizationClient(service.Channel);

        var response = await client.CheckAsync(new EnvoyCheckRequestBuilder().Method("POST").Path("/v1/chat/completions?x=1").Build());

        Assert.Equal(0, response.Status.Code);
        Assert.Empty(CheckResponseRules.Validate(response));
        var decisionId = Assert.Single(response.OkResponse.Headers, h => h.Header.Key == GovernanceHeaders.DecisionId).Header.Value;
        Assert.Matches("^[0-9a-f]{32}$", decisionId);
        Assert.Contains(response.OkResponse.Headers, h => h.Header.Key == GovernanceHeaders.Decision && h.Header.Value == "allow");
    }

    [Fact]
    public async Task Check_RawHeaderMapRequest_Allows()
    {
        await using var service = await RunningService.StartExtAuthzAsync();
        var client = new AuthorizationClient(service.Channel);

        var response = await client.CheckAsync(new EnvoyCheckRequestBuilder().EncodeRawHeaders().Header("x-a", "1").Build());

        Assert.Equal(0, response.Status.Code);
        Assert.Empty(CheckResponseRules.Validate(response));
    }

    [Fact]
    public async Task Check_EmptyRequest_InvalidArgumentNamingTheMissingPart()
    {
        await using var service = await RunningService.StartExtAuthzAsync();
        var client = new AuthorizationClient(service.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.CheckAsync(new CheckRequest()));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("attributes.request.http", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0a05", "a field longer than its message")]
    [InlineData("0a020f00", "wire type 7")]
    public async Task Check_BytesNotACheckRequest_InvalidArgumentNamingTheFault(string hex, string fault)
    {
        await using var service = await RunningService.StartExtAuthzAsync();
        var raw = Marshallers.Create(static (byte[] bytes) => bytes, static bytes => bytes);
        var check = new Method<byte[], byte[]>(MethodType.Unary, "envoy.service.auth.v3.Authorization", "Check", raw, raw);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await service.Channel.CreateCallInvoker().AsyncUnaryCall(check, null, default, Convert.FromHexString(hex)));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal($"the CheckRequest is not valid protobuf: {fault}", error.Status.Detail);
    }

    [Fact]
    public async Task Check_StepThrows_InternalErrorWithoutDetails()
    {
        await using var service = await RunningService.StartExtAuthzAsync(s => s.AddSingleton<IDecisionStep>(ThrowingStep.Internal()));
        var client = new AuthorizationClient(service.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.CheckAsync(new EnvoyCheckRequestBuilder().Build()));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.DoesNotContain("secret-token-123", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_DependencyUnavailable_Unavailable()
    {
        await using var service = await RunningService.StartExtAuthzAsync(s => s.AddSingleton<IDecisionStep>(ThrowingStep.Unavailable()));
        var client = new AuthorizationClient(service.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.CheckAsync(new EnvoyCheckRequestBuilder().Build()));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task Check_DeadlineShorterThanDecision_DeadlineExceeded()
    {
        var slow = new DelayStep(TimeSpan.FromSeconds(30));
        await using var service = await RunningService.StartExtAuthzAsync(s => s.AddSingleton<IDecisionStep>(slow));
        var client = new AuthorizationClient(service.Channel);

        // Long enough that the call reaches the step even on a loaded CI machine, far shorter than the step.
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.CheckAsync(new EnvoyCheckRequestBuilder().Build(), deadline: DateTime.UtcNow.AddSeconds(3)));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal(1, slow.Entered);
    }

    [Fact]
    public async Task Check_TenThousandHeaders_AnswersWithinBoundedMemory()
    {
        await using var service = await RunningService.StartExtAuthzAsync();
        var client = new AuthorizationClient(service.Channel);
        var builder = new EnvoyCheckRequestBuilder();
        for (var i = 0; i < 10_000; i++)
        {
            builder.Header($"x-h-{i}", new string('v', 32));
        }

        var response = await client.CheckAsync(builder.Build());

        Assert.Equal(0, response.Status.Code);
    }

    [Fact]
    public async Task Check_InvalidUtf8InHeaderValue_ClearAnswerNoCrash()
    {
        await using var service = await RunningService.StartExtAuthzAsync();
        var client = new AuthorizationClient(service.Channel);
        var valid = new EnvoyCheckRequestBuilder().Header("x-bad", "AB").Build().ToByteArray();
        // Turn the header value "AB" into the invalid UTF-8 sequence 0xC3 0x28 on the wire.
        var index = IndexOf(valid, "AB"u8);
        valid[index] = 0xC3;
        valid[index + 1] = 0x28;
        var method = new Method<byte[], CheckResponse>(
            MethodType.Unary, "envoy.service.auth.v3.Authorization", "Check",
            Marshallers.Create(b => b, b => b), Marshallers.Create(r => r.ToByteArray(), CheckResponse.Parser.ParseFrom));

        var call = service.Channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), valid);
        var outcome = await Record.ExceptionAsync(async () => await call);

        // Either a decision (protobuf replaced the bytes) or a clean gRPC error; the service stays up.
        Assert.True(outcome is null || outcome is RpcException, $"unexpected {outcome}");
        Assert.Equal(0, (await client.CheckAsync(new EnvoyCheckRequestBuilder().Build())).Status.Code);
    }

    [Fact]
    public async Task Check_MessageOverLimit_ResourceExhausted()
    {
        await using var service = await RunningService.StartExtAuthzAsync();
        var client = new AuthorizationClient(service.Channel);
        var request = new EnvoyCheckRequestBuilder().Body(new byte[16 * 1024 * 1024], packAsBytes: true).Build();

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.CheckAsync(request));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}

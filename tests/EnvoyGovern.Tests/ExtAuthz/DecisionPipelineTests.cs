using Envoy.Service.Auth.V3;
using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Tests.Fixtures;

namespace EnvoyGovern.Tests.ExtAuthz;

public sealed class DecisionPipelineTests
{
    private static CheckContext Context() => new(new EnvoyCheckRequestBuilder().Build(), "id-1", DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task DecideAsync_NoSteps_Allows()
    {
        var decision = await new DecisionPipeline([]).DecideAsync(Context(), CancellationToken.None);

        Assert.Equal(DecisionOutcome.Allow, decision.Outcome);
        Assert.Null(decision.DecidedBy);
    }

    [Fact]
    public async Task DecideAsync_FirstStepDenies_LaterStepsDoNotRun()
    {
        var later = new DelayStep(TimeSpan.Zero);
        var deny = new Decision { Outcome = DecisionOutcome.Deny, Reason = "region_not_allowed", HttpStatus = 403 };

        var decision = await new DecisionPipeline([new FixedStep(deny), later]).DecideAsync(Context(), CancellationToken.None);

        Assert.Equal("region_not_allowed", decision.Reason);
        Assert.Equal("fixed", decision.DecidedBy);
        Assert.Equal(0, later.Entered);
    }

    [Fact]
    public async Task DecideAsync_StepAddsHeader_HeaderIsInContext()
    {
        var context = Context();

        await new DecisionPipeline([new FixedStep(null, new("x-tenant", "acme"))]).DecideAsync(context, CancellationToken.None);

        Assert.Equal([new KeyValuePair<string, string>("x-tenant", "acme")], context.UpstreamHeaders);
    }

    [Fact]
    public void GetHeader_RawHeaderMapWithRepeats_JoinsWithComma()
    {
        var request = new EnvoyCheckRequestBuilder().EncodeRawHeaders().Header("x-a", "1").Header("x-a", "2").Build();

        var context = new CheckContext(request, "id", DateTimeOffset.UnixEpoch);

        Assert.Equal("1,2", context.GetHeader("x-a"));
        Assert.Null(context.GetHeader("x-missing"));
    }

    [Fact]
    public void Create_Deny_ReturnsProblemJsonAndExplicitAppend()
    {
        var decision = new Decision
        {
            Outcome = DecisionOutcome.Deny,
            Reason = "quota_exceeded",
            HttpStatus = 429,
            ResponseHeaders = [new("retry-after", "30")],
        };

        var response = new CheckResponseFactory().Create(decision, Context());

        Assert.Equal((int)Grpc.Core.StatusCode.ResourceExhausted, response.Status.Code);
        Assert.Equal(429, (int)response.DeniedResponse.Status.Code);
        Assert.Contains("\"reason\":\"quota_exceeded\"", response.DeniedResponse.Body, StringComparison.Ordinal);
        Assert.Contains(response.DeniedResponse.Headers, h => h.Header.Key == "content-type" && h.Header.Value == "application/problem+json");
        Assert.Contains(response.DeniedResponse.Headers, h => h.Header.Key == "retry-after" && h.Header.Value == "30");
        Assert.Empty(CheckResponseRules.Validate(response));
    }

    [Fact]
    public void Create_Allow_TagsDecisionAndIdAndPassesRules()
    {
        var response = new CheckResponseFactory().Create(Decision.Allowed, Context());

        Assert.Equal(0, response.Status.Code);
        Assert.Equal(CheckResponse.HttpResponseOneofCase.OkResponse, response.HttpResponseCase);
        Assert.Contains(response.OkResponse.Headers, h => h.Header.Key == GovernanceHeaders.Decision && h.Header.Value == "allow");
        Assert.Contains(response.OkResponse.Headers, h => h.Header.Key == GovernanceHeaders.DecisionId && h.Header.Value == "id-1");
        Assert.Equal("id-1", response.DynamicMetadata.Fields["decision_id"].StringValue);
        Assert.Empty(CheckResponseRules.Validate(response));
    }
}

using System.Runtime.CompilerServices;
using Envoy.Service.Auth.V3;
using EnvoyGovern.ExtAuthz.Decisions;

namespace EnvoyGovern.Benchmarks;

/// <summary>What AuthorizationService does per Check, minus logging and metrics: context, pipeline, response.</summary>
internal static class Decide
{
    private static readonly CheckResponseFactory Responses = new();

    // Each benchmark's request is read once: these benchmarks measure the decision, not the parse (CheckPathBenchmarks does).
    private static readonly ConditionalWeakTable<CheckRequest, CheckRequestView> Views = [];

    public static async ValueTask<CheckResponse> CheckAsync(DecisionPipeline pipeline, CheckRequest request)
    {
        var context = NewContext(request);
        var decision = await pipeline.DecideAsync(context, CancellationToken.None);
        return Responses.Create(decision, context);
    }

    public static CheckContext NewContext(CheckRequest request) =>
        new(Views.GetValue(request, CheckRequestView.From), "0190b6c4e7a24f3d", DateTimeOffset.UtcNow);

    /// <summary>Fails the run when a benchmark would measure something else than an allowed decision by <paramref name="rule"/>.</summary>
    public static void AssertAllowed(CheckResponse response, string? rule)
    {
        if (response.Status.Code != 0)
        {
            throw new InvalidOperationException($"expected an allowed decision, got {response.DeniedResponse?.Status?.Code}: {response.DeniedResponse?.Body}");
        }

        var decided = response.DynamicMetadata?.Fields.TryGetValue("rule", out var value) == true ? value.StringValue : null;
        if (rule is not null && decided != rule)
        {
            throw new InvalidOperationException($"expected rule '{rule}', got '{decided}'");
        }
    }
}

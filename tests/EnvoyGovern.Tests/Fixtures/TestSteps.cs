using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Decisions;

namespace EnvoyGovern.Tests.Fixtures;

/// <summary>Small hand-written decision steps for driving the pipeline in tests.</summary>
public sealed class ThrowingStep(Exception exception) : IDecisionStep
{
    public string Name => "throwing";

    public ValueTask<Decision?> EvaluateAsync(CheckContext context, CancellationToken cancellationToken) => throw exception;

    public static ThrowingStep Internal() => new(new InvalidOperationException("boom: secret-token-123"));

    public static ThrowingStep Unavailable() => new(new DependencyUnavailableException("quota store unreachable"));
}

/// <summary>Waits, honouring cancellation, then lets the request pass.</summary>
public sealed class DelayStep(TimeSpan delay) : IDecisionStep
{
    private int _entered;

    public string Name => "delay";

    public int Entered => Volatile.Read(ref _entered);

    public async ValueTask<Decision?> EvaluateAsync(CheckContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _entered);
        await Task.Delay(delay, cancellationToken);
        return null;
    }
}

/// <summary>Denies with a fixed decision, or adds an upstream header and passes.</summary>
public sealed class FixedStep(Decision? decision, KeyValuePair<string, string>? header = null) : IDecisionStep
{
    public string Name => "fixed";

    public ValueTask<Decision?> EvaluateAsync(CheckContext context, CancellationToken cancellationToken)
    {
        if (header is { } h)
        {
            context.SetUpstreamHeader(h.Key, h.Value);
        }

        return ValueTask.FromResult(decision);
    }
}

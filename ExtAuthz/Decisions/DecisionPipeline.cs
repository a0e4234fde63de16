namespace EnvoyGovern.ExtAuthz.Decisions;

/// <summary>Runs the registered steps in order; the first decision wins, no decision means allow.</summary>
public sealed class DecisionPipeline(IEnumerable<IDecisionStep> steps)
{
    private readonly IDecisionStep[] _steps = steps.ToArray();

    /// <summary>Decides for one request.</summary>
    public async ValueTask<Decision> DecideAsync(CheckContext context, CancellationToken cancellationToken)
    {
        foreach (var step in _steps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var decision = await step.EvaluateAsync(context, cancellationToken);
            if (decision is not null)
            {
                return decision.DecidedBy is null ? decision with { DecidedBy = step.Name } : decision;
            }
        }

        return Decision.Allowed;
    }
}

namespace EnvoyGovern.ExtAuthz.Decisions;

/// <summary>
/// One stage of the decision (identity, access, region, quota, canary ...). Steps run in registration
/// order; the first that returns a decision ends the pipeline. A step that cannot decide because a
/// dependency is down throws <see cref="EnvoyGovern.Governance.Decisions.DependencyUnavailableException"/>,
/// which Envoy sees as UNAVAILABLE and handles by its fail-closed setting.
/// </summary>
public interface IDecisionStep
{
    /// <summary>A short name, recorded as the deciding step.</summary>
    string Name { get; }

    /// <summary>Returns a final decision, or null to let the next step look at the request.</summary>
    ValueTask<Decision?> EvaluateAsync(CheckContext context, CancellationToken cancellationToken);
}

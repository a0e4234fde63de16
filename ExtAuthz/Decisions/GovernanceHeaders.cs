namespace EnvoyGovern.ExtAuthz.Decisions;

/// <summary>Header names that the decision sets. Always overwritten, so a client cannot forge them.</summary>
public static class GovernanceHeaders
{
    /// <summary><c>allow</c> or <c>deny</c>.</summary>
    public const string Decision = "x-governance-decision";

    /// <summary>The decision id, for correlating the request with its audit record.</summary>
    public const string DecisionId = "x-governance-decision-id";
}

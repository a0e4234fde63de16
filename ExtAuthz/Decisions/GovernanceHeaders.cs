namespace EnvoyGovern.ExtAuthz.Decisions;

/// <summary>Header names that the decision sets. Always overwritten, so a client cannot forge them.</summary>
public static class GovernanceHeaders
{
    /// <summary><c>allow</c> or <c>deny</c>.</summary>
    public const string Decision = "x-governance-decision";

    /// <summary>The decision id, for correlating the request with its audit record.</summary>
    public const string DecisionId = "x-governance-decision-id";

    /// <summary>Version (content hash) of the policy that decided.</summary>
    public const string PolicyVersion = "x-governance-policy-version";

    /// <summary>The caller's tenant, for the upstream.</summary>
    public const string Tenant = "x-governance-tenant";

    /// <summary>The caller's subject, for the upstream.</summary>
    public const string Subject = "x-governance-subject";

    /// <summary>The caller's groups, comma-separated, for the upstream.</summary>
    public const string Groups = "x-governance-groups";

    /// <summary>The resolved model, for the upstream.</summary>
    public const string Model = "x-governance-model";

    /// <summary>The resolved model version, for the upstream.</summary>
    public const string ModelVersion = "x-governance-model-version";

    /// <summary>Every identity header the upstream may trust; stripped when not set by the decision.</summary>
    public static IReadOnlyList<string> Identity { get; } = [Tenant, Subject, Groups, Model, ModelVersion];
}

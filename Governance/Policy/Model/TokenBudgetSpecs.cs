namespace EnvoyGovern.Governance.Policy.Model;

/// <summary>Which tokens of a model call count against a budget.</summary>
public enum TokenCount
{
    /// <summary>Input and output tokens.</summary>
    Total = 0,

    /// <summary>Prompt (input) tokens only.</summary>
    Input = 1,

    /// <summary>Completion (output) tokens only.</summary>
    Output = 2,
}

/// <summary>
/// A token budget per tenant and fixed window (aligned to the Unix epoch, so every replica agrees on the
/// window): ExtProc counts the tokens each answer used, ExtAuthz refuses a tenant's next request with 429
/// once the window's count reached the budget.
/// </summary>
public sealed record TokenBudgetSpec
{
    /// <summary>Unique within the set; named in the 429 and the audit record.</summary>
    public required string Name { get; init; }

    /// <summary>Tokens a tenant may use per window.</summary>
    public required long Tokens { get; init; }

    /// <summary>The window: a whole number and a unit, m or h (<c>60m</c>, <c>24h</c>, <c>720h</c>).</summary>
    public required string Window { get; init; }

    /// <summary>Total (default), input or output tokens.</summary>
    public TokenCount Count { get; init; }

    /// <summary>Budgets of particular tenants, in place of <see cref="Tokens"/>.</summary>
    public IReadOnlyDictionary<string, long> Tenants { get; init; } = new Dictionary<string, long>();
}

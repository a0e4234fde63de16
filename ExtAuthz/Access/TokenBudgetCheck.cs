using System.Globalization;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.TokenBudgets;

namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>
/// Refuses a tenant whose token budget for the current window is used up (ExtProc counted the tokens of
/// earlier answers): 429 with <c>retry-after</c> until the window ends. A request without a tenant is
/// not counted, like quotas per tenant.
/// </summary>
internal static class TokenBudgetCheck
{
    public static async ValueTask<Decision?> EvaluateAsync(IReadOnlyList<CompiledDocument> documents, CheckContext context, RequestAttributes request, ITokenBudgetStore store, CancellationToken cancellationToken)
    {
        if (request.Identity?.Tenant is not { } tenant)
        {
            return null;
        }

        foreach (var document in documents)
        {
            foreach (var budget in document.TokenBudgets)
            {
                var limit = budget.LimitFor(tenant);
                var used = await store.ReadAsync(budget.Key(tenant, request.Now), cancellationToken);
                if (used < limit)
                {
                    continue;
                }

                var retry = (long)Math.Ceiling(budget.UntilWindowEnds(request.Now).TotalSeconds);
                context.SetMetadata("token_budget", budget.Name);
                return Denials.Deny(429, "token_budget_exhausted", $"Token budget '{budget.Name}' is used up ({used} of {limit} tokens); it renews when the window ends.",
                    [new("retry-after", retry.ToString(CultureInfo.InvariantCulture))]);
            }
        }

        return null;
    }
}

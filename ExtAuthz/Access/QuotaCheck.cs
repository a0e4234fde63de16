using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.ExtAuthz.Quotas;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>Takes a token from every quota that applies; the first empty bucket answers 429.</summary>
internal static class QuotaCheck
{
    public static async ValueTask<Decision?> EvaluateAsync(IReadOnlyList<CompiledDocument> documents, CheckContext context, RequestAttributes request, IQuotaStore store, CancellationToken cancellationToken)
    {
        foreach (var document in documents)
        {
            foreach (var quota in document.Quotas)
            {
                if (!quota.When.IsMatch(request) || KeyOf(quota, request) is not { } key)
                {
                    continue;
                }

                var result = await store.TryAcquireAsync(quota.BucketName(key), quota.Rate, cancellationToken);
                if (!result.Allowed)
                {
                    context.SetMetadata("quota", quota.Name);
                    return Denials.Deny(429, "quota_exceeded", $"Quota '{quota.Name}' is used up; retry later.", QuotaHeaders.For(result));
                }
            }
        }

        return null;
    }

    // A request without the attribute a quota counts per is not counted by it (an anonymous caller
    // has no tenant); rules decide whether such requests pass at all.
    private static string? KeyOf(CompiledQuota quota, RequestAttributes request) => quota.Per switch
    {
        QuotaKey.Tenant => request.Identity?.Tenant,
        QuotaKey.Subject => request.Identity?.Subject,
        QuotaKey.Credential => request.Identity?.CredentialId ?? request.Identity?.Subject,
        // One bucket for everything the quota matches: its `when` is the route.
        QuotaKey.Route => "route",
        QuotaKey.SourceAddress => request.Source?.ToString(),
        _ => null,
    };
}

using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>
/// Deny overrides allow, and no matching allow means deny. A dry-run rule is evaluated and recorded
/// (in <c>dynamic_metadata</c> and the audit record) but does not change the outcome.
/// </summary>
internal static class RuleEvaluator
{
    public static Decision? Evaluate(IReadOnlyList<CompiledDocument> documents, RequestAttributes request, CheckContext context)
    {
        CompiledRule? allow = null;
        CompiledRule? shadowDeny = null;
        foreach (var document in documents)
        {
            foreach (var rule in document.Rules)
            {
                if (!rule.When.IsMatch(request))
                {
                    continue;
                }

                if (rule.Effect == RuleEffect.Allow)
                {
                    allow ??= rule;
                }
                else if (rule.DryRun)
                {
                    shadowDeny ??= rule;
                }
                else
                {
                    context.SetMetadata("rule", rule.Name);
                    return Denials.Deny(rule.Status, rule.Reason, rule.Message ?? $"Denied by rule '{rule.Name}'.") with { DecidedBy = $"rule:{rule.Name}" };
                }
            }
        }

        if (shadowDeny is not null)
        {
            context.SetMetadata("dry_run_rule", shadowDeny.Name);
            context.SetMetadata("dry_run_decision", "deny");
        }

        if (allow is not null)
        {
            context.SetMetadata("rule", allow.Name);
            return null;
        }

        // Default deny. When every governing document is in dry-run, it is recorded, not enforced.
        if (documents.All(d => d.DryRun))
        {
            context.SetMetadata("dry_run_decision", "deny");
            return null;
        }

        // Anonymous callers where credentials could help get 401 with a challenge, not a bare 403.
        return request.Identity is null && documents.Any(d => d.Identity.Length > 0)
            ? Denials.CredentialsRequired(documents)
            : Denials.Deny(403, "no_matching_rule", "No rule allows this request.");
    }
}

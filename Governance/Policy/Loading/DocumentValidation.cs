using System.Text.RegularExpressions;
using EnvoyGovern.Governance.Envoy;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.Governance.Policy.Loading;

/// <summary>Checks of one bound document that the schema cannot express.</summary>
internal static class DocumentValidation
{
    public static void Check(PolicyDocument document, ErrorSink sink)
    {
        if (!IsDnsLabel(document.Metadata.Name))
        {
            sink.Add("/metadata/name", $"'{document.Metadata.Name}' is not a valid name; use lower-case letters, digits and '-' (at most 63)");
        }

        var spec = document.Spec;
        MatchValidation.NonEmpty(spec.Hosts, "/spec/hosts", sink);
        IdentityValidation.Check(spec.Identity, sink);
        Region(spec.Region, sink);
        Models(spec.Models, sink);
        Tls(spec.Tls, sink);
        Quotas(spec.Quotas, sink);
        TokenBudgets(spec.TokenBudgets, sink);
        Rules(spec.Rules, sink);
        WafValidation.Check(spec.Waf, sink);
        InspectionValidation.Check(spec.Inspection, sink);
    }

    private static void Region(RegionSpec? region, ErrorSink sink)
    {
        if (region is null)
        {
            return;
        }

        if (region.Header is { } header && !HeaderRules.IsValidName(header))
        {
            sink.Add("/spec/region/header", $"'{header}' is not a header name");
        }

        if (region.Header is not null && region.TrustedProxies.Count == 0)
        {
            sink.Add("/spec/region/trustedProxies", "a region header can be forged by any client; list the proxy ranges that may set it");
        }

        MatchValidation.Cidrs(region.TrustedProxies, "/spec/region/trustedProxies", sink);
        for (var i = 0; i < region.Networks.Count; i++)
        {
            MatchValidation.Cidrs([region.Networks[i].Cidr], $"/spec/region/networks/{i}/cidr", sink);
        }
    }

    private static void Models(ModelsSpec? models, ErrorSink sink)
    {
        if (models is null)
        {
            return;
        }

        if (models.PathPattern is { } pattern)
        {
            try
            {
                var regex = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
                if (Array.IndexOf(regex.GetGroupNames(), "model") < 0)
                {
                    sink.Add("/spec/models/pathPattern", "the pattern needs a named group (?<model>...)");
                }
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
            {
                sink.Add("/spec/models/pathPattern", $"not a usable regular expression ({ex.Message}); patterns run without backtracking, so lookarounds and backreferences are not available");
            }
        }

        CanaryValidation.Check(models, sink);
        for (var i = 0; i < models.Catalog.Count; i++)
        {
            var model = models.Catalog[i];
            if (!model.Versions.Any(v => v.Name == model.Stable))
            {
                sink.Add($"/spec/models/catalog/{i}/stable", $"stable version '{model.Stable}' is not one of the model's versions");
            }
        }
    }

    private static void Tls(TlsSpec? tls, ErrorSink sink)
    {
        if (tls is null)
        {
            return;
        }

        if (tls.RedirectStatus is not (301 or 308))
        {
            sink.Add("/spec/tls/redirectStatus", "use 301 or 308 (308 keeps the method and body of API calls)");
        }

        MatchValidation.NonEmpty(tls.Hosts, "/spec/tls/hosts", sink);
        MatchValidation.Cidrs(tls.TrustedProxies, "/spec/tls/trustedProxies", sink);
    }

    private static void Quotas(IReadOnlyList<QuotaSpec> quotas, ErrorSink sink)
    {
        for (var i = 0; i < quotas.Count; i++)
        {
            var quota = quotas[i];
            if (!(quota.RequestsPerSecond > 0 && double.IsFinite(quota.RequestsPerSecond)))
            {
                sink.Add($"/spec/quotas/{i}/requestsPerSecond", "must be a number above 0 (fractions such as 0.5 are fine)");
            }

            if (quota.Burst < 1)
            {
                sink.Add($"/spec/quotas/{i}/burst", "must be at least 1");
            }

            MatchValidation.Check(quota.When, $"/spec/quotas/{i}/when", sink);
        }
    }

    private static void TokenBudgets(IReadOnlyList<TokenBudgetSpec> budgets, ErrorSink sink)
    {
        for (var i = 0; i < budgets.Count; i++)
        {
            var budget = budgets[i];
            var at = $"/spec/tokenBudgets/{i}";
            if (budget.Tokens < 1)
            {
                sink.Add($"{at}/tokens", "a budget needs at least 1 token");
            }

            if (!Durations.TryParse(budget.Window, out var window) || window < TimeSpan.FromMinutes(1) || window > TimeSpan.FromDays(366))
            {
                sink.Add($"{at}/window", $"'{budget.Window}' is not a usable window: {Durations.Expected}, from 1m to 8784h");
            }

            foreach (var (tenant, tokens) in budget.Tenants)
            {
                if (tokens < 0)
                {
                    sink.Add($"{at}/tenants/{tenant}", "a tenant's budget cannot be negative (0 refuses every request)");
                }
            }
        }
    }

    private static void Rules(IReadOnlyList<RuleSpec> rules, ErrorSink sink)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var at = $"/spec/rules/{i}";
            if (rule.Effect == RuleEffect.Deny && string.IsNullOrWhiteSpace(rule.Reason))
            {
                sink.Add($"{at}/reason", "a deny rule needs a reason code (snake_case), which the caller and the audit record see");
            }

            if (rule.Status is { } status && (rule.Effect != RuleEffect.Deny || status is < 400 or > 599))
            {
                sink.Add($"{at}/status", "status is for deny rules only, and must be a 4xx or 5xx code");
            }

            MatchValidation.Check(rule.When, $"{at}/when", sink);
        }
    }

    private static bool IsDnsLabel(string name) =>
        name.Length is > 0 and <= 63
        && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
        && name[0] != '-' && name[^1] != '-';
}

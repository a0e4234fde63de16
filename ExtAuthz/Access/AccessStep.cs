using System.Net;
using System.Runtime.CompilerServices;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.ExtAuthz.Quotas;
using EnvoyGovern.Governance.Canary;
using EnvoyGovern.Governance.Decisions;
using EnvoyGovern.Governance.Policy.Runtime;
using EnvoyGovern.Governance.TokenBudgets;

namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>
/// The policy decision: TLS, identity, attributes, rules (deny overrides allow; no allow means deny),
/// then quotas and token budgets, then the cluster (stable or a canary) for the model. Reads the active policy once, so a reload never changes a decision half-way.
/// </summary>
internal sealed class AccessStep(PolicyStore store, IQuotaStore quotas, TimeProvider time, ICanaryHalts halts, ITokenBudgetStore budgets) : IDecisionStep
{
    // Identities are cached with their credentials (token cache, key table), so each one's groups header
    // is joined once and lives as long as the identity does.
    private static readonly ConditionalWeakTable<CallerIdentity, string> JoinedGroups = [];

    public string Name => "policy";

    public async ValueTask<Decision?> EvaluateAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var snapshot = store.Current ?? throw new DependencyUnavailableException("no valid policy is loaded");
        context.PolicyVersion = snapshot.Version;
        var policy = snapshot.Get<AccessPolicy>();
        var http = context.Http;
        var extensions = context.Request.ContextExtensions;
        var request = new RequestAttributes
        {
            Host = HostOf(http.Host),
            Method = http.Method,
            Path = PathOf(http.Path),
            SourceText = context.Request.SourceAddress,
            Now = time.GetUtcNow(),
            ContextExtensions = extensions,
        };
        var documents = policy.Select(request.Host, extensions);
        if (documents.Count == 0)
        {
            return Denials.Deny(403, "no_policy", $"No policy governs host '{request.Host}'.");
        }

        // TLS before identity: a redirect must not depend on credentials sent in clear.
        if (TlsCheck.Evaluate(documents, context, request) is { } tls)
        {
            return tls;
        }

        var rejection = await AuthenticateAsync(documents, context, request, cancellationToken);
        if (rejection is not null)
        {
            return rejection;
        }

        ResolveAttributes(documents, context, request);
        if (RuleEvaluator.Evaluate(documents, request, context) is { } denied)
        {
            return denied;
        }

        if (await QuotaCheck.EvaluateAsync(documents, context, request, quotas, cancellationToken) is { } limited)
        {
            return limited;
        }

        if (await TokenBudgetCheck.EvaluateAsync(documents, context, request, budgets, cancellationToken) is { } exhausted)
        {
            return exhausted;
        }

        Route(context, request);
        ForwardIdentity(context, request);
        return null;
    }

    // The route reads the cluster header, so it is set for every allowed request of a routed model and
    // removed otherwise: a client's copy never survives.
    private void Route(CheckContext context, RequestAttributes request)
    {
        if (request.Routing?.Choose(context, request, request.ModelVersionPinned, halts) is not { } route)
        {
            context.RemoveUpstreamHeader(CanaryHeaders.Cluster);
            return;
        }

        request.ModelVersion = context.ModelVersion = route.Version;
        context.SetUpstreamHeader(CanaryHeaders.Cluster, route.Cluster);
        context.SetMetadata("cluster", route.Cluster);
        context.SetMetadata("canary_reason", route.Reason);
        if (route.Canary is { } canary)
        {
            context.SetMetadata("canary", canary);
        }
    }

    private static async ValueTask<Decision?> AuthenticateAsync(IReadOnlyList<CompiledDocument> documents, CheckContext context, RequestAttributes request, CancellationToken cancellationToken)
    {
        foreach (var document in documents)
        {
            foreach (var source in document.Identity)
            {
                var result = await source.AuthenticateAsync(context, cancellationToken);
                switch (result.Outcome)
                {
                    case IdentityOutcome.Authenticated:
                        request.Identity = result.Identity;
                        context.Identity = result.Identity;
                        return null;
                    case IdentityOutcome.Rejected:
                        return Denials.Unauthenticated(result.Reason ?? "invalid_credentials", result.Detail ?? "The credentials were not accepted.", source.Kind);
                }
            }
        }

        return null;
    }

    internal static void ResolveAttributes(IReadOnlyList<CompiledDocument> documents, CheckContext context, RequestAttributes request)
    {
        foreach (var document in documents)
        {
            request.Region ??= document.Region?.Resolve(context, request);
            if (request.Model is null && document.Models is { } models)
            {
                var resolved = models.Resolve(context, request);
                (request.Model, request.ModelVersion, request.ModelVersionPinned, request.Routing) = resolved;
                (context.Model, context.ModelVersion) = (request.Model, request.ModelVersion);
            }
        }
    }

    private static void ForwardIdentity(CheckContext context, RequestAttributes request)
    {
        var identity = request.Identity;
        Forward(context, GovernanceHeaders.Tenant, identity?.Tenant);
        Forward(context, GovernanceHeaders.Subject, identity?.Subject);
        Forward(context, GovernanceHeaders.Groups, identity is { Groups.Count: > 0 } ? JoinedGroups.GetValue(identity, static i => string.Join(',', i.Groups)) : null);
        Forward(context, GovernanceHeaders.Model, request.Model);
        Forward(context, GovernanceHeaders.ModelVersion, request.ModelVersion);
        if (identity is not null)
        {
            context.SetMetadata("identity_source", identity.Source);
        }

        if (request.Region is { } region)
        {
            context.SetMetadata("region", region);
        }
    }

    // Set what the decision knows; strip the rest, so a client cannot forge identity for the upstream.
    private static void Forward(CheckContext context, string header, string? value)
    {
        if (value is null)
        {
            context.RemoveUpstreamHeader(header);
        }
        else
        {
            context.SetUpstreamHeader(header, value);
        }
    }

    internal static string HostOf(string authority) => Governance.Policy.Authority.Host(authority);

    internal static string PathOf(string path)
    {
        var query = path.IndexOfAny(['?', '#']);
        return query < 0 ? path : path[..query];
    }

    internal static IPAddress? SourceOf(CheckContext context) =>
        IPAddress.TryParse(context.Request.SourceAddress, out var address) ? address : null;
}

using System.Text.Json;
using EnvoyGovern.ExtAuthz.Access;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.Cli.PolicyTesting;

/// <summary>
/// Walks the stages of AccessStep for one request and writes what each saw: which documents apply, TLS,
/// every identity source, the resolved attributes, every rule and quota condition by condition. It calls
/// the engine's own pieces (AccessPolicy.Select, TlsCheck, the compiled identity sources and resolvers,
/// CompiledMatch.Explain); only the order of the stages is restated here. Takes no quota tokens.
/// </summary>
internal sealed class DecisionTrace(AccessPolicy policy, CheckContext context, TextWriter output)
{
    private bool _drifted;

    /// <summary>True when an explanation disagreed with the engine's own match (a bug in explain).</summary>
    public bool Drifted => _drifted;

    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        var http = context.Http;
        var request = new RequestAttributes
        {
            Host = AccessStep.HostOf(http.Host),
            Method = http.Method,
            Path = AccessStep.PathOf(http.Path),
            Source = AccessStep.SourceOf(context),
            Now = context.ReceivedAt,
            ContextExtensions = context.Request.ContextExtensions,
        };
        var documents = await DocumentsAsync(request);
        if (documents.Count == 0)
        {
            return;
        }

        var tls = TlsCheck.Evaluate(documents, context, request);
        await output.WriteLineAsync(tls is null ? $"tls: ok (scheme {http.Scheme})" : $"tls: {tls.Reason} {tls.HttpStatus} (scheme {http.Scheme})");
        await IdentityAsync(documents, request, cancellationToken);
        await AttributesAsync(documents, request);
        await output.WriteLineAsync("rules:");
        foreach (var rule in documents.SelectMany(d => d.Rules))
        {
            var effect = rule.Effect == RuleEffect.Allow ? "allow" : "deny";
            await output.WriteLineAsync($"  {effect} rule {rule.Name}{(rule.DryRun ? " (dry run)" : "")}: {Verdict(rule.When, request)}");
        }

        await output.WriteLineAsync("quotas:");
        foreach (var quota in documents.SelectMany(d => d.Quotas))
        {
            await output.WriteLineAsync($"  quota {quota.Name} (per {JsonNamingPolicy.CamelCase.ConvertName(quota.Per.ToString())}, burst {quota.Rate.Burst}): {Verdict(quota.When, request)}");
        }
    }

    private async Task<IReadOnlyList<CompiledDocument>> DocumentsAsync(RequestAttributes request)
    {
        var selected = policy.Select(request.Host, request.ContextExtensions);
        var named = request.ContextExtensions.TryGetValue(AccessPolicy.PolicyExtension, out var name) ? name : null;
        await output.WriteLineAsync("documents:");
        foreach (var document in policy.Documents)
        {
            var applies = selected.Contains(document);
            var why = named is not null
                ? $"context extension {AccessPolicy.PolicyExtension}={named}"
                : document.Hosts is null ? "governs every host" : $"hosts: request has {request.Host}";
            await output.WriteLineAsync($"  document {document.Name}: {(applies ? "applies" : "does not apply")} ({why})");
        }

        if (selected.Count == 0)
        {
            await output.WriteLineAsync("  no document governs this request (no_policy)");
        }

        return selected;
    }

    // Same order and stopping rule as AccessStep: the first source that authenticates or rejects decides.
    private async Task IdentityAsync(IReadOnlyList<CompiledDocument> documents, RequestAttributes request, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync("identity:");
        var decided = false;
        foreach (var document in documents)
        {
            foreach (var source in document.Identity)
            {
                var label = $"  {document.Name}/{source.Kind}";
                if (decided)
                {
                    await output.WriteLineAsync($"{label}: not tried");
                    continue;
                }

                var result = await source.AuthenticateAsync(context, cancellationToken);
                decided = result.Outcome != IdentityOutcome.NoCredentials;
                request.Identity ??= result.Identity;
                await output.WriteLineAsync($"{label}: {Describe(result)}");
            }
        }

        if (!decided)
        {
            await output.WriteLineAsync("  anonymous: no source found a credential");
        }
    }

    private async Task AttributesAsync(IReadOnlyList<CompiledDocument> documents, RequestAttributes request)
    {
        AccessStep.ResolveAttributes(documents, context, request);
        var identity = request.Identity;
        await output.WriteLineAsync("attributes:");
        await output.WriteLineAsync($"  tenant: {identity?.Tenant ?? "none"}");
        await output.WriteLineAsync($"  subject: {identity?.Subject ?? "none"}");
        await output.WriteLineAsync($"  groups: {(identity is { Groups.Count: > 0 } ? string.Join(',', identity.Groups) : "none")}");
        await output.WriteLineAsync($"  region: {request.Region ?? "none"}");
        await output.WriteLineAsync($"  model: {request.Model ?? "none"}");
        await output.WriteLineAsync($"  version: {request.ModelVersion ?? "none"}");
        await output.WriteLineAsync($"  source: {request.Source?.ToString() ?? "none"}");
    }

    private string Verdict(CompiledMatch match, RequestAttributes request)
    {
        var conditions = match.Explain(request);
        var holds = conditions.All(c => c.Holds);
        if (holds != match.IsMatch(request))
        {
            // Explain is out of step with IsMatch (a condition added to one only): never show a wrong story silently.
            _drifted = true;
        }

        if (conditions.Count == 0)
        {
            return "yes (no conditions)";
        }

        return holds
            ? $"yes ({string.Join(", ", conditions.Select(c => c.Name))})"
            : $"no ({string.Join("; ", conditions.Where(c => !c.Holds).Select(c => $"{c.Name}: {c.Actual}"))})";
    }

    private static string Describe(IdentityResult result) => result.Outcome switch
    {
        IdentityOutcome.Authenticated when result.Identity is { } who =>
            $"authenticated as {who.Subject} (tenant {who.Tenant ?? "none"}, groups {(who.Groups.Count == 0 ? "none" : string.Join(',', who.Groups))})",
        IdentityOutcome.Rejected => $"rejected ({result.Reason}: {result.Detail})",
        _ => "no credential",
    };
}

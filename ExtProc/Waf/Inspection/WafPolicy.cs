using EnvoyGovern.Governance.Policy;
using EnvoyGovern.Governance.Policy.Loading;
using EnvoyGovern.Governance.Policy.Model;
using EnvoyGovern.Governance.Policy.Runtime;

namespace EnvoyGovern.ExtProc.Waf.Inspection;

/// <summary>The WAF settings that apply to one request (document settings with the path override applied).</summary>
internal sealed record WafSettings(WafMode Mode, int ParanoiaLevel, int? InboundThreshold, int? OutboundThreshold, bool InspectResponses, int[] DisabledRules);

/// <summary>
/// The WAF part of the active policy: per document, its host patterns and settings. A request gets the
/// settings of the first document (in file order) that governs its host and has a <c>waf</c> section,
/// like ExtAuthz selects documents by host.
/// </summary>
internal sealed class WafPolicy(IReadOnlyList<WafPolicy.Document> documents)
{
    public static readonly WafPolicy None = new([]);

    public WafSettings? Select(string authority, string path)
    {
        if (documents.Count == 0)
        {
            return null;
        }

        var host = Authority.Host(authority);
        foreach (var document in documents)
        {
            if (document.Hosts is not null && !Array.Exists(document.Hosts, h => h.IsMatch(host)))
            {
                continue;
            }

            var query = path.IndexOfAny(['?', '#']);
            var pathOnly = query < 0 ? path : path[..query];
            foreach (var (globs, settings) in document.Paths)
            {
                if (Array.Exists(globs, g => g.IsMatch(pathOnly)))
                {
                    return settings;
                }
            }

            return document.Settings;
        }

        return null;
    }

    internal sealed record Document(Glob[]? Hosts, WafSettings Settings, IReadOnlyList<(Glob[] Paths, WafSettings Settings)> Paths);
}

/// <summary>Compiles the <c>waf</c> sections of a policy set.</summary>
internal sealed class WafPolicyCompiler : IPolicyCompiler
{
    public object Compile(PolicySet policy, ICollection<PolicyError> errors)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var documents = new List<WafPolicy.Document>();
        foreach (var loaded in policy.Documents)
        {
            var spec = loaded.Document.Spec;
            if (spec.Waf is not { } waf)
            {
                continue;
            }

            var settings = new WafSettings(waf.Mode, waf.ParanoiaLevel, waf.InboundAnomalyThreshold, waf.OutboundAnomalyThreshold, waf.InspectResponses, []);
            var paths = waf.Paths
                .Select(p => (p.Paths.Select(x => new Glob(x, ignoreCase: false)).ToArray(),
                    settings with { Mode = p.Mode ?? settings.Mode, ParanoiaLevel = p.ParanoiaLevel ?? settings.ParanoiaLevel, DisabledRules = [.. p.DisabledRules] }))
                .ToList();
            var hosts = spec.Hosts.Count == 0 ? null : spec.Hosts.Select(h => new Glob(h, ignoreCase: true)).ToArray();
            documents.Add(new WafPolicy.Document(hosts, settings, paths));
        }

        return documents.Count == 0 ? WafPolicy.None : new WafPolicy(documents);
    }
}

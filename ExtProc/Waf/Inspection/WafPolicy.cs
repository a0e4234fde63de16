using EnvoyGovern.Governance.Policy;
using EnvoyGovern.Governance.Policy.Loading;
using EnvoyGovern.Governance.Policy.Runtime;

namespace EnvoyGovern.ExtProc.Waf.Inspection;

/// <summary>The WAF settings that apply to one request (document settings with the path override applied).</summary>
internal sealed record WafSettings(Governance.Policy.Model.WafMode Mode, int ParanoiaLevel, int? InboundThreshold, int? OutboundThreshold, bool InspectResponses, int[] DisabledRules);

/// <summary>
/// The WAF part of the active policy: per document, its host patterns and settings. A request gets the
/// settings of the first document (in file order) that governs its host and has a <c>waf</c> section,
/// like ExtAuthz selects documents by host.
/// </summary>
internal sealed class WafPolicy(HostSections<WafPolicy.Document> documents)
{
    public static readonly WafPolicy None = new(HostSections.Empty<Document>());

    public WafSettings? Select(string authority, string path)
    {
        if (documents.For(authority) is not { } document)
        {
            return null;
        }

        var pathOnly = HostSections.PathOnly(path);
        foreach (var (globs, settings) in document.Paths)
        {
            if (Glob.AnyMatch(globs, pathOnly))
            {
                return settings;
            }
        }

        return document.Settings;
    }

    internal sealed record Document(WafSettings Settings, IReadOnlyList<(Glob[] Paths, WafSettings Settings)> Paths);
}

/// <summary>Compiles the <c>waf</c> sections of a policy set.</summary>
internal sealed class WafPolicyCompiler : IPolicyCompiler
{
    public object Compile(PolicySet policy, ICollection<PolicyError> errors)
    {
        var documents = HostSections.Compile(policy, loaded =>
        {
            if (loaded.Document.Spec.Waf is not { } waf)
            {
                return null;
            }

            var settings = new WafSettings(waf.Mode, waf.ParanoiaLevel, waf.InboundAnomalyThreshold, waf.OutboundAnomalyThreshold, waf.InspectResponses, []);
            var paths = waf.Paths
                .Select(p => (p.Paths.Select(x => new Glob(x, ignoreCase: false)).ToArray(),
                    settings with { Mode = p.Mode ?? settings.Mode, ParanoiaLevel = p.ParanoiaLevel ?? settings.ParanoiaLevel, DisabledRules = [.. p.DisabledRules] }))
                .ToList();
            return new WafPolicy.Document(settings, paths);
        });
        return documents.IsEmpty ? WafPolicy.None : new WafPolicy(documents);
    }
}

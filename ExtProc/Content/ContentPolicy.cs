using EnvoyGovern.ExtProc.GenAi;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.ExtProc.Pii;
using EnvoyGovern.Governance.Policy;
using EnvoyGovern.Governance.Policy.Loading;
using EnvoyGovern.Governance.Policy.Model;
using EnvoyGovern.Governance.Policy.Runtime;
using EnvoyGovern.Governance.TokenBudgets;

namespace EnvoyGovern.ExtProc.Content;

/// <summary>The content inspection that applies to one request: the document's <c>inspection</c> section, compiled.</summary>
internal sealed record ContentSettings(string Document, long MaxBodyBytes, UnknownContentAction UnknownContentTypes, PiiSettings? Pii, PromptInjectionSpec? PromptInjection)
{
    /// <summary>Model governance and usage reading; null when off.</summary>
    public ModelSettings? Models { get; init; }

    /// <summary>Response hygiene; null when off.</summary>
    public ResponseHeadersSpec? ResponseHeaders { get; init; }

    /// <summary>The document's token budgets: the tokens of every answer count against them.</summary>
    public IReadOnlyList<CompiledTokenBudget> TokenBudgets { get; init; } = [];

    /// <summary>True when answers are read for their token usage.</summary>
    public bool ReadsUsage => Models is not null || TokenBudgets.Count > 0;

    /// <summary>True when some feature reads this direction's body.</summary>
    public bool NeedsBody(HttpDirection direction) => direction == HttpDirection.Request
        ? Pii?.Requests == true || Models is not null || PromptInjection is not null
        : Pii?.Responses == true || ReadsUsage;
}

/// <summary>
/// The <c>inspection</c> sections of the active policy. A request gets the section of the first document
/// (in file order) that governs its host and has one, if its path is among the section's paths.
/// </summary>
internal sealed class ContentPolicy(HostSections<ContentPolicy.Document> documents)
{
    public static readonly ContentPolicy None = new(HostSections.Empty<Document>());

    public ContentSettings? Select(string authority, string path)
    {
        if (documents.For(authority) is not { } document)
        {
            return null;
        }

        var pathOnly = HostSections.PathOnly(path);
        return document.Paths.Length == 0 || Glob.AnyMatch(document.Paths, pathOnly) ? document.Settings : null;
    }

    internal sealed record Document(Glob[] Paths, ContentSettings Settings);
}

/// <summary>Compiles the <c>inspection</c> sections of a policy set.</summary>
internal sealed class ContentPolicyCompiler : IPolicyCompiler
{
    public object Compile(PolicySet policy, ICollection<PolicyError> errors)
    {
        var documents = HostSections.Compile(policy, loaded =>
        {
            var spec = loaded.Document.Spec;
            if (spec.Inspection is null && spec.TokenBudgets.Count == 0)
            {
                return null;
            }

            // Token budgets alone still need the answers' usage: defaults for everything else.
            var inspection = spec.Inspection ?? new InspectionSpec();
            var settings = new ContentSettings(
                loaded.Document.Metadata.Name,
                inspection.MaxBodyBytes,
                inspection.UnknownContentTypes,
                inspection.Pii is { } pii ? new PiiSettings(pii) : null,
                inspection.PromptInjection)
            {
                Models = inspection.Models is { } models ? new ModelSettings(models) : null,
                ResponseHeaders = inspection.ResponseHeaders,
                TokenBudgets = [.. spec.TokenBudgets.Select(b => new CompiledTokenBudget(b))],
            };
            return new ContentPolicy.Document([.. inspection.Paths.Select(p => new Glob(p, ignoreCase: false))], settings);
        });
        return documents.IsEmpty ? ContentPolicy.None : new ContentPolicy(documents);
    }
}

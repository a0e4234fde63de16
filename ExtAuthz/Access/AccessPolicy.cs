namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>The compiled access part of the active policy: its documents in file order.</summary>
internal sealed class AccessPolicy(IReadOnlyList<CompiledDocument> documents) : IDisposable
{
    /// <summary>The context extension with which a route names the policy document it wants.</summary>
    public const string PolicyExtension = "policy";

    private readonly Dictionary<string, CompiledDocument> _byName = documents.ToDictionary(d => d.Name, StringComparer.Ordinal);

    public IReadOnlyList<CompiledDocument> Documents { get; } = documents;

    /// <summary>
    /// The documents that govern this request: the one a route names through the <c>policy</c> context
    /// extension, else every document whose hosts match.
    /// </summary>
    public IReadOnlyList<CompiledDocument> Select(string host, IReadOnlyDictionary<string, string> extensions)
    {
        if (extensions.TryGetValue(PolicyExtension, out var name))
        {
            return _byName.TryGetValue(name, out var named) ? [named] : [];
        }

        var selected = new List<CompiledDocument>(Documents.Count);
        foreach (var document in Documents)
        {
            if (document.Governs(host))
            {
                selected.Add(document);
            }
        }

        return selected;
    }

    /// <summary>Releases what identity sources hold (key refresh timers, token caches) once the policy is retired.</summary>
    public void Dispose()
    {
        foreach (var source in Documents.SelectMany(d => d.Identity).OfType<IDisposable>())
        {
            source.Dispose();
        }
    }
}

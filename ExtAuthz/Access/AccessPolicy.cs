namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>The compiled access part of the active policy: its documents in file order.</summary>
internal sealed class AccessPolicy(IReadOnlyList<CompiledDocument> documents) : IDisposable
{
    /// <summary>The context extension with which a route names the policy document it wants.</summary>
    public const string PolicyExtension = "policy";

    private readonly Dictionary<string, CompiledDocument> _byName = documents.ToDictionary(d => d.Name, StringComparer.Ordinal);

    // One reusable answer per document for the usual case of a single governing document, so a Check
    // allocates no list. Callers only read what Select returns.
    private readonly CompiledDocument[][] _single = [.. documents.Select(d => new[] { d })];

    public IReadOnlyList<CompiledDocument> Documents { get; } = Indexed(documents);

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

        var first = -1;
        var count = 0;
        for (var i = 0; i < Documents.Count; i++)
        {
            if (Documents[i].Governs(host))
            {
                first = count++ == 0 ? i : first;
            }
        }

        if (count <= 1)
        {
            return count == 0 ? [] : _single[first];
        }

        var selected = new List<CompiledDocument>(count);
        foreach (var document in Documents)
        {
            if (document.Governs(host))
            {
                selected.Add(document);
            }
        }

        return selected;
    }

    // The rule indexes are built with the policy, not by the first request after a reload.
    private static IReadOnlyList<CompiledDocument> Indexed(IReadOnlyList<CompiledDocument> documents)
    {
        foreach (var document in documents)
        {
            _ = RuleIndex.For(document);
        }

        return documents;
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

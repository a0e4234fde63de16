namespace EnvoyGovern.Governance.Policy;

/// <summary>
/// One section of a policy set (the WAF's, content inspection's) per document that has it, with the
/// document's host patterns. A request gets the section of the first document, in file order, that
/// governs its host, as ExtAuthz selects documents.
/// </summary>
/// <typeparam name="T">The compiled section.</typeparam>
public sealed class HostSections<T>
    where T : class
{
    private readonly (Glob[]? Hosts, T Section)[] _documents;

    internal HostSections((Glob[]? Hosts, T Section)[] documents) => _documents = documents;

    /// <summary>True when no document has the section.</summary>
    public bool IsEmpty => _documents.Length == 0;

    /// <summary>The section governing <paramref name="authority"/> (port ignored), or null.</summary>
    public T? For(string authority)
    {
        if (_documents.Length == 0)
        {
            return null;
        }

        var host = Authority.Host(authority);
        foreach (var (hosts, section) in _documents)
        {
            if (hosts is null || Glob.AnyMatch(hosts, host))
            {
                return section;
            }
        }

        return null;
    }
}

/// <summary>Builds <see cref="HostSections{T}"/>.</summary>
public static class HostSections
{
    /// <summary>No document has the section.</summary>
    public static HostSections<T> Empty<T>()
        where T : class => new([]);

    /// <summary>Compiles <paramref name="section"/> for every document that has one (null: it has none).</summary>
    public static HostSections<T> Compile<T>(PolicySet policy, Func<LoadedDocument, T?> section)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(section);
        var documents = new List<(Glob[]?, T)>();
        foreach (var loaded in policy.Documents)
        {
            if (section(loaded) is not { } compiled)
            {
                continue;
            }

            var hosts = loaded.Document.Spec.Hosts;
            documents.Add((hosts.Count == 0 ? null : [.. hosts.Select(h => new Glob(h, ignoreCase: true))], compiled));
        }

        return new HostSections<T>([.. documents]);
    }

    /// <summary>The path of a request target without its query or fragment, as path patterns match it.</summary>
    public static string PathOnly(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var end = path.IndexOfAny(['?', '#']);
        return end < 0 ? path : path[..end];
    }
}

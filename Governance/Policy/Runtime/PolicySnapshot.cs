namespace EnvoyGovern.Governance.Policy.Runtime;

/// <summary>
/// An active policy: the set and every feature's compiled form of it. Immutable; a request reads the
/// current snapshot once and uses it to the end, so a reload never changes a decision half-way.
/// </summary>
public sealed class PolicySnapshot
{
    private readonly Dictionary<Type, object> _compiled;

    internal PolicySnapshot(PolicySet set, Dictionary<Type, object> compiled, DateTimeOffset activatedAt)
    {
        Set = set;
        _compiled = compiled;
        ActivatedAt = activatedAt;
    }

    /// <summary>The policy set.</summary>
    public PolicySet Set { get; }

    /// <summary>Shortcut to the set's version.</summary>
    public string Version => Set.Version;

    /// <summary>When this snapshot became active.</summary>
    public DateTimeOffset ActivatedAt { get; }

    internal IEnumerable<object> CompiledValues => _compiled.Values;

    /// <summary>The compiled form of type <typeparamref name="T"/>.</summary>
    public T Get<T>()
        where T : class =>
        _compiled.TryGetValue(typeof(T), out var value)
            ? (T)value
            : throw new InvalidOperationException($"No policy compiler produced {typeof(T).Name}; register its IPolicyCompiler.");
}

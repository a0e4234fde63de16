namespace EnvoyGovern.ExtAuthz.Decisions.Wire;

/// <summary>
/// The allowed answer's <c>dynamic_metadata</c> fields in the order the factory sets them, with the
/// semantics of a protobuf map that is assigned by key: a key set again keeps its first place and takes
/// the last value.
/// </summary>
internal readonly ref struct MetadataEntries
{
    private const string DecisionKey = "decision";
    private const string ReasonKey = "reason";
    private const string DecisionIdKey = "decision_id";
    private const string PolicyVersionKey = "policy_version";

    private readonly CheckContext _context;
    private readonly int _fixed;
    private readonly bool _distinct;

    /// <param name="context">The decided request.</param>
    /// <param name="distinct">Known to have no key set twice (<see cref="HasRepeatedKey"/>): values are read directly.</param>
    public MetadataEntries(CheckContext context, bool distinct)
    {
        _context = context;
        _distinct = distinct;
        _fixed = context.PolicyVersion is null ? 3 : 4;
        Count = _fixed + context.Metadata.Count;
    }

    public int Count { get; }

    public string Key(int index) => index switch
    {
        0 => DecisionKey,
        1 => ReasonKey,
        2 => DecisionIdKey,
        3 when _fixed == 4 => PolicyVersionKey,
        _ => _context.Metadata[index - _fixed].Key,
    };

    public bool HasRepeatedKey()
    {
        var metadata = _context.Metadata;
        for (var index = 0; index < metadata.Count; index++)
        {
            var key = metadata[index].Key;
            if (key is DecisionKey or ReasonKey or DecisionIdKey || (_fixed == 4 && key == PolicyVersionKey))
            {
                return true;
            }

            for (var earlier = 0; earlier < index; earlier++)
            {
                if (string.Equals(metadata[earlier].Key, key, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// True when the value written at <paramref name="index"/> is the answer's own decision id: the <c>decision_id</c>
    /// field, unless a step set that key again (the map then holds the step's value).
    /// </summary>
    public bool IsDecisionId(int index)
    {
        if (index != 2)
        {
            return false;
        }

        foreach (var (key, _) in _context.Metadata)
        {
            if (key == DecisionIdKey)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The value written at <paramref name="index"/>, or null when the key was written earlier.</summary>
    public string? ValueFor(int index)
    {
        if (_distinct)
        {
            return Value(index);
        }

        var key = Key(index);
        for (var earlier = 0; earlier < index; earlier++)
        {
            if (string.Equals(Key(earlier), key, StringComparison.Ordinal))
            {
                return null;
            }
        }

        var last = index;
        for (var later = index + 1; later < Count; later++)
        {
            if (string.Equals(Key(later), key, StringComparison.Ordinal))
            {
                last = later;
            }
        }

        return Value(last);
    }

    private string Value(int index) => index switch
    {
        0 => "allow",
        1 => "allowed",
        2 => _context.DecisionId,
        3 when _fixed == 4 => _context.PolicyVersion!,
        _ => _context.Metadata[index - _fixed].Value,
    };
}

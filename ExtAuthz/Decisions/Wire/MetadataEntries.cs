namespace EnvoyGovern.ExtAuthz.Decisions.Wire;

/// <summary>
/// The allowed answer's <c>dynamic_metadata</c> fields in the order the factory sets them, with the
/// semantics of a protobuf map that is assigned by key: a key set again keeps its first place and takes
/// the last value.
/// </summary>
internal readonly ref struct MetadataEntries
{
    private readonly CheckContext _context;
    private readonly int _fixed;

    public MetadataEntries(CheckContext context)
    {
        _context = context;
        _fixed = context.PolicyVersion is null ? 3 : 4;
        Count = _fixed + context.Metadata.Count;
    }

    public int Count { get; }

    public string Key(int index) => index switch
    {
        0 => "decision",
        1 => "reason",
        2 => "decision_id",
        3 when _fixed == 4 => "policy_version",
        _ => _context.Metadata[index - _fixed].Key,
    };

    /// <summary>The value written at <paramref name="index"/>, or null when the key was written earlier.</summary>
    public string? ValueFor(int index)
    {
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

using System.Runtime.CompilerServices;
using System.Text;

namespace EnvoyGovern.ExtAuthz.Decisions.Wire;

/// <summary>
/// The bytes of allowed answers already written, kept by their decision's shape, so that a Check with the same
/// shape copies them and writes only its own decision id. Every Check of one caller, route and model has the
/// same answer but for the id: the same header and metadata strings from the policy, the identity and the
/// route, and a decision id of the same length (32 hex digits). Encoding those strings to UTF-8, measuring and
/// framing them was about a tenth of an audit-off Check's CPU (bench/README.md, sixth pass).
/// </summary>
/// <remarks>
/// The shape is the identity of every string the answer writes (policy version, upstream headers, removed
/// headers, metadata) and the decision id's length: strings are immutable, so the same objects always encode to
/// the same bytes, and an ASCII id of the same length gives every length prefix the same value. Comparing by
/// reference never reads a string, and a string made per call (a model id the catalog does not know) never
/// matches an older one. A shape is kept only when it repeats (it missed in its slot twice in a row), so answers
/// made of per-call strings do not churn the table. Fixed size, lock-free: a slot holds one immutable template,
/// and a reader sees the old one or the new one. What it keeps is what the answer tells Envoy, never a credential.
/// </remarks>
internal static class AnswerTemplates
{
    private const int Slots = 256;

    private static readonly AnswerTemplate?[] Templates = new AnswerTemplate?[Slots];

    // The last shape that missed in each slot; its second miss in a row builds a template.
    private static readonly int[] Missed = new int[Slots];

    /// <summary>The template for <paramref name="context"/>'s answer; null when there is none (yet) and the caller writes it.</summary>
    public static AnswerTemplate? Find(CheckContext context)
    {
        if (!Ascii.IsValid(context.DecisionId))
        {
            return null; // the id's bytes would not be its chars
        }

        var hash = Hash(context);
        var slot = hash & (Slots - 1);
        var template = Volatile.Read(ref Templates[slot]);
        if (template is not null && template.Matches(context, hash))
        {
            return template;
        }

        if (Volatile.Read(ref Missed[slot]) != hash)
        {
            Volatile.Write(ref Missed[slot], hash);
            return null;
        }

        template = AnswerTemplate.Build(context, hash);
        Volatile.Write(ref Templates[slot], template);
        return template;
    }

    // Indexed loops: a foreach over the context's IReadOnlyList views would box an enumerator per list per Check.
    private static int Hash(CheckContext context)
    {
        var hash = new HashCode();
        hash.Add(context.DecisionId.Length);
        hash.Add(RuntimeHelpers.GetHashCode(context.PolicyVersion));
        var upstream = context.UpstreamHeaders;
        for (var i = 0; i < upstream.Count; i++)
        {
            hash.Add(RuntimeHelpers.GetHashCode(upstream[i].Key));
            hash.Add(RuntimeHelpers.GetHashCode(upstream[i].Value));
        }

        hash.Add(-1);
        var removed = context.RemovedUpstreamHeaders;
        for (var i = 0; i < removed.Count; i++)
        {
            hash.Add(RuntimeHelpers.GetHashCode(removed[i]));
        }

        hash.Add(-2);
        var metadata = context.Metadata;
        for (var i = 0; i < metadata.Count; i++)
        {
            hash.Add(RuntimeHelpers.GetHashCode(metadata[i].Key));
            hash.Add(RuntimeHelpers.GetHashCode(metadata[i].Value));
        }

        return hash.ToHashCode();
    }
}

/// <summary>One allowed answer's bytes with the places of its decision id, and the strings it was written from.</summary>
internal sealed class AnswerTemplate
{
    private readonly int _hash;
    private readonly int _idLength;
    private readonly string? _policyVersion;
    private readonly KeyValuePair<string, string>[] _upstreamHeaders;
    private readonly string[] _removedHeaders;
    private readonly KeyValuePair<string, string>[] _metadata;
    private readonly byte[] _bytes;
    private readonly int[] _idOffsets;

    private AnswerTemplate(CheckContext context, int hash, byte[] bytes, int[] idOffsets)
    {
        _hash = hash;
        _idLength = context.DecisionId.Length;
        _policyVersion = context.PolicyVersion;
        _upstreamHeaders = [.. context.UpstreamHeaders];
        _removedHeaders = [.. context.RemovedUpstreamHeaders];
        _metadata = [.. context.Metadata];
        _bytes = bytes;
        _idOffsets = idOffsets;
    }

    /// <summary>Bytes of the answer.</summary>
    public int Length => _bytes.Length;

    /// <summary>Writes <paramref name="context"/>'s answer in full (its decision id already ASCII and the template's length).</summary>
    public static AnswerTemplate Build(CheckContext context, int hash)
    {
        var layout = AllowedAnswerWriter.Measure(context);
        var bytes = new byte[layout.Total];
        var idOffsets = new List<int>(3);
        if (AllowedAnswerWriter.Write(context, layout, bytes, idOffsets) != bytes.Length)
        {
            throw new InvalidOperationException("the allowed answer's size differs from its measure");
        }

        // An empty id has no bytes to replace.
        return new AnswerTemplate(context, hash, bytes, [.. idOffsets.Where(offset => offset >= 0)]);
    }

    /// <summary>True when <paramref name="context"/>'s answer is this one but for the decision id's characters.</summary>
    public bool Matches(CheckContext context, int hash)
    {
        if (hash != _hash || context.DecisionId.Length != _idLength || !ReferenceEquals(context.PolicyVersion, _policyVersion))
        {
            return false;
        }

        var upstream = context.UpstreamHeaders;
        var removed = context.RemovedUpstreamHeaders;
        var metadata = context.Metadata;
        if (upstream.Count != _upstreamHeaders.Length || removed.Count != _removedHeaders.Length || metadata.Count != _metadata.Length)
        {
            return false;
        }

        for (var i = 0; i < _upstreamHeaders.Length; i++)
        {
            if (!Same(upstream[i], _upstreamHeaders[i]))
            {
                return false;
            }
        }

        for (var i = 0; i < _removedHeaders.Length; i++)
        {
            if (!ReferenceEquals(removed[i], _removedHeaders[i]))
            {
                return false;
            }
        }

        for (var i = 0; i < _metadata.Length; i++)
        {
            if (!Same(metadata[i], _metadata[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes the answer with <paramref name="decisionId"/> (ASCII, the template's length) into <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination, string decisionId)
    {
        _bytes.CopyTo(destination);
        foreach (var offset in _idOffsets)
        {
            Ascii.FromUtf16(decisionId, destination.Slice(offset, _idLength), out _);
        }
    }

    private static bool Same(KeyValuePair<string, string> a, KeyValuePair<string, string> b) =>
        ReferenceEquals(a.Key, b.Key) && ReferenceEquals(a.Value, b.Value);
}

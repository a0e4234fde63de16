using EnvoyGovern.ExtProc.Waf.Operators;

namespace EnvoyGovern.ExtProc.Waf.Engine;

/// <summary>
/// A phase's results of the combined literal scan (see <see cref="LiteralScan"/>): per value slot and pipeline the
/// groups the value may satisfy, and per shared value list and pipeline their union, each computed once. Per thread
/// and emptied when the phase ends, like <see cref="PhaseScratch"/>, whose slots it is indexed by.
/// </summary>
internal sealed class LiteralHits
{
    private const int KeepWords = 1 << 16;

    [ThreadStatic]
    private static LiteralHits? t_current;

    private int _chains;


    // Per (slot, pipeline): 1 + the offset of its bits in _words (0: not scanned yet); the cells set, to clear them.
    private int[] _at = [];
    private int[] _stored = new int[256];
    private int _storedCount;
    private ulong[] _words = new ulong[1024];
    private int _wordCount;

    // Per (shared list, ctl removals, pipeline): the offset of the union of its values' bits.
    private readonly Dictionary<(int Set, ulong Removed, int Chain), int> _lists = [];

    private LiteralHits()
    {
    }

    /// <summary>The instance of this thread, for a ruleset with <paramref name="chains"/> pipelines.</summary>
    public static LiteralHits Rent(int chains)
    {
        var hits = t_current ??= new LiteralHits();
        hits._chains = chains;
        return hits;
    }

    /// <summary>The bits of a value slot after a pipeline, if scanned already in this phase.</summary>
    public bool TryGet(int slot, int chain, int words, out ReadOnlySpan<ulong> bits)
    {
        var at = (slot * _chains) + chain;
        var offset = at < _at.Length ? _at[at] - 1 : -1;
        bits = offset < 0 ? default : _words.AsSpan(offset, words);
        return offset >= 0;
    }

    /// <summary>Scans <paramref name="value"/> (the value in <paramref name="slot"/> after pipeline <paramref name="chain"/>) and keeps its bits.</summary>
    public ReadOnlySpan<ulong> Scan(int slot, int chain, LiteralScan scan, string value, CharMask mask)
    {
        var offset = Reserve(scan.Words);
        var bits = _words.AsSpan(offset, scan.Words);
        scan.Scan(value, mask, bits);
        var at = (slot * _chains) + chain;
        if (_at.Length <= at)
        {
            Array.Resize(ref _at, Math.Max(at + 1, _at.Length * 2));
        }

        _at[at] = offset + 1;
        if (_storedCount == _stored.Length)
        {
            Array.Resize(ref _stored, _storedCount * 2);
        }

        _stored[_storedCount++] = at;
        return bits;
    }

    /// <summary>The union of a shared list's bits after a pipeline, if computed in this phase.</summary>
    public bool TryGetList(int set, ulong removed, int chain, int words, out ReadOnlySpan<ulong> bits)
    {
        var known = _lists.TryGetValue((set, removed, chain), out var offset);
        bits = known ? _words.AsSpan(offset, words) : default;
        return known;
    }

    /// <summary>Cleared bits for a shared list's union, kept for the rest of the phase.</summary>
    public Span<ulong> NewList(int set, ulong removed, int chain, int words)
    {
        var offset = Reserve(words);
        _lists[(set, removed, chain)] = offset;
        return _words.AsSpan(offset, words);
    }

    /// <summary>Forgets everything this phase scanned.</summary>
    public void Return()
    {
        for (var i = 0; i < _storedCount; i++)
        {
            _at[_stored[i]] = 0;
        }

        _storedCount = 0;
        if (_at.Length > KeepWords * 4)
        {
            _at = [];
        }

        _lists.Clear();
        if (_words.Length > KeepWords)
        {
            _words = new ulong[1024];
        }

        _wordCount = 0;
    }

    // Words for new bits, cleared (the array is cleared as it is given out, not as a phase ends).
    private int Reserve(int words)
    {
        if (_wordCount + words > _words.Length)
        {
            Array.Resize(ref _words, Math.Max(_wordCount + words, _words.Length * 2));
        }

        var offset = _wordCount;
        _wordCount += words;
        _words.AsSpan(offset, words).Clear();
        return offset;
    }
}

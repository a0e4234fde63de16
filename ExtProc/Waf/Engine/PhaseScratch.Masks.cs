using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.ExtProc.Waf.Transformations;

namespace EnvoyGovern.ExtProc.Waf.Engine;

// Char masks per distinct transformed value, the shared conditional searches' memo and the list-wide unions.
internal sealed partial class PhaseScratch
{
    // Char masks of the transformation results (the operators' gates test them), in the same cells as _results:
    // an index into _masks, 0 while not computed. A pipeline whose last step left the value as it was shares its
    // prefix's entry, so a value is scanned once per distinct result.
    private int[] _maskAt = [];
    private CharMask[] _masks = new CharMask[64];
    private int _maskCount = 1;

    // Per mask index, bits by ConditionalPrefilter.SearchBit: which shared literal searches ran and which found.
    private ulong[] _searched = new ulong[64];
    private ulong[] _found = new ulong[64];
    private int[] _maskStored = new int[256];
    private int _maskStoredCount;

    // The list-wide mask of a shared value list per pipeline (see ListMask): for a list without ctl removals in a cell per
    // (target set, pipeline), valid while its stamp is this phase's (no clearing per phase); else by (set, removals,
    // pipeline), rare.
    private CharMask[] _listMaskCells = [];
    private int[] _listMaskStamps = [];
    private int _phaseStamp;
    private readonly Dictionary<(int Set, ulong Removed, int Chain), CharMask> _listMasks = [];

    // The same per variable whose entries lists hold whole (see ValueList), in a cell per (variable, pipeline).
    private CharMask[] _wholeMasks = [];
    private int[] _wholeMaskStamps = [];

    /// <summary>
    /// The char mask of <paramref name="value"/>, the result of pipeline <paramref name="chain"/> on the value in
    /// <paramref name="slot"/> (<paramref name="input"/>), computed once per phase.
    /// </summary>
    public CharMask Mask(int slot, string input, TransformChain chain, string value)
    {
        // The index first: computing it may grow _masks.
        var index = MaskIndex(slot, input, chain, value);
        return _masks[index];
    }

    /// <summary>The char mask numbered <paramref name="index"/> by <see cref="MaskIndex"/>.</summary>
    public CharMask MaskAt(int index) => _masks[index];

    /// <summary>
    /// Whether the distinct transformed value numbered <paramref name="index"/> (<paramref name="value"/>) holds one of
    /// <paramref name="condition"/>'s literals, searched once per phase for all the rules that share its literal set.
    /// </summary>
    public bool ConditionalFound(int index, ConditionalPrefilter condition, string value)
    {
        var bit = condition.SearchBit;
        if (bit < 0)
        {
            return condition.Contains(value);
        }

        var flag = 1UL << bit;
        if ((_searched[index] & flag) != 0)
        {
            return (_found[index] & flag) != 0;
        }

        if (condition.Combined is { } combined && (_searched[index] & combined.Sets) == 0 && combined.TrySearch(value, out var candidates))
        {
            // One pass answers every numbered set: a case-insensitive set's answer is final, a case-sensitive set found
            // with the case fold is left to its own search below.
            var unconfirmed = candidates & combined.CaseSensitive;
            _searched[index] |= combined.Sets & ~unconfirmed;
            _found[index] |= candidates & ~unconfirmed;
            if ((flag & unconfirmed) == 0)
            {
                return (candidates & flag) != 0;
            }
        }

        var found = condition.Contains(value);
        _searched[index] |= flag;
        if (found)
        {
            _found[index] |= flag;
        }

        return found;
    }

    /// <summary>
    /// The number of the distinct transformed value (its char mask's index): the result of pipeline
    /// <paramref name="chain"/> on the value in <paramref name="slot"/> (<paramref name="input"/>).
    /// </summary>
    public int MaskIndex(int slot, string input, TransformChain chain, string value)
    {
        var at = Cell(slot, chain.Id);
        var index = _maskAt[at];
        if (index != 0)
        {
            return index;
        }

        if (chain.Steps.Length > 0)
        {
            var prefix = chain.Prefix;
            var before = prefix.Steps.Length == 0 ? input : _results[Cell(slot, prefix.Id)];
            if (ReferenceEquals(before, value))
            {
                index = MaskIndex(slot, input, prefix, value);
            }
        }

        if (index == 0)
        {
            if (_maskCount == _masks.Length)
            {
                Array.Resize(ref _masks, _maskCount * 2);
                Array.Resize(ref _searched, _masks.Length);
                Array.Resize(ref _found, _masks.Length);
            }

            index = _maskCount++;
            _masks[index] = CharMask.Of(value);
            _searched[index] = 0;
            _found[index] = 0;
        }

        _maskAt[at] = index;
        if (_maskStoredCount == _maskStored.Length)
        {
            Array.Resize(ref _maskStored, _maskStoredCount * 2);
        }

        _maskStored[_maskStoredCount++] = at;
        return index;
    }

    /// <summary>
    /// The list-wide mask of a shared value list for pipeline <paramref name="chain"/> if known: for the empty pipeline the
    /// union of the values' masks, for others a superset of the union after the pipeline (see WafTransaction.ResultUnion).
    /// </summary>
    public bool ListMask(int set, ulong removed, int chain, out CharMask union)
    {
        if (removed != 0)
        {
            return _listMasks.TryGetValue((set, removed, chain), out union);
        }

        var at = (set * _chains) + chain;
        var known = _listMaskStamps[at] == _phaseStamp;
        union = known ? _listMaskCells[at] : default;
        return known;
    }

    public void RememberListMask(int set, ulong removed, int chain, CharMask union)
    {
        if (removed != 0)
        {
            _listMasks[(set, removed, chain)] = union;
            return;
        }

        var at = (set * _chains) + chain;
        _listMaskCells[at] = union;
        _listMaskStamps[at] = _phaseStamp;
    }

    /// <summary>
    /// As <see cref="ListMask"/> for every entry of <paramref name="variable"/> (see <see cref="ValueList.Whole"/>), the
    /// part of a list-wide mask that many lists share.
    /// </summary>
    public bool WholeMask(Variable variable, int chain, out CharMask union)
    {
        var at = ((int)variable * _chains) + chain;
        var known = at < _wholeMaskStamps.Length && _wholeMaskStamps[at] == _phaseStamp;
        union = known ? _wholeMasks[at] : default;
        return known;
    }

    public void RememberWholeMask(Variable variable, int chain, CharMask union)
    {
        if (_wholeMaskStamps.Length < Variables.Count * _chains)
        {
            Array.Resize(ref _wholeMasks, Variables.Count * _chains);
            Array.Resize(ref _wholeMaskStamps, Variables.Count * _chains);
        }

        var at = ((int)variable * _chains) + chain;
        _wholeMasks[at] = union;
        _wholeMaskStamps[at] = _phaseStamp;
    }
}

using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.ExtProc.Waf.Rules;
using EnvoyGovern.ExtProc.Waf.Transformations;

namespace EnvoyGovern.ExtProc.Waf.Engine;

/// <summary>
/// What one phase computes once and many rules reuse: each rule target list's values (hundreds of CRS
/// rules read the same ARGS, cookies and headers, minus the same exclusions) and each value's
/// transformations. A phase runs synchronously on one thread, so the scratch is per thread and reused by
/// the next phase on it, instead of being allocated and grown per request; it is emptied when the phase
/// ends, so it holds no request's data afterwards.
/// </summary>
internal sealed class PhaseScratch
{
    // A list or cache that grew past these for one huge request is dropped rather than kept per thread.
    private const int KeepValues = 4096;
    private const int KeepSlots = 4096;

    [ThreadStatic]
    private static PhaseScratch? t_current;

    private List<WafTransaction.TargetValue>?[] _lists = [];
    private bool[] _filled = [];
    private int[] _used = new int[16];
    private int _usedCount;

    // The values of a rule whose targets no other rule shares (see OwnValues).
    private List<WafTransaction.TargetValue> _own = [];

    // Target sets some rules collect minus ctl-removed targets, by (set, which removals apply): rare, small.
    private readonly Dictionary<(int Set, ulong Removed), List<WafTransaction.TargetValue>> _reduced = [];

    // Their lists, emptied, for the next phase: 941010's removal makes some on every ordinary request.
    private readonly Stack<List<WafTransaction.TargetValue>> _spareReduced = new();

    private PhaseScratch()
    {
    }

    // Transformation results: one row of TransformChainCount per value slot. A slot stands for a value's content:
    // values are mostly the collections' own string instances, so instance identity is the cheap first key; a new
    // instance is looked up once by content, so equal values (a form's repeated values, a name that is also a key)
    // share their transformations, masks and a rule's verdict (see FirstVisit).
    private Dictionary<string, int> _slots = NewSlots();
    private Dictionary<string, int> _contentSlots = new(256, StringComparer.Ordinal);

    // Per slot, the number of the last rule evaluation that visited it (see BeginRule and FirstVisit).
    private int[] _visited = [];
    private int _visit;
    private string?[] _results = [];
    private int _chains;
    private int[] _stored = new int[256];
    private int _storedCount;

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

    // The union of the masks of a shared value list after a pipeline: for a list without ctl removals in a cell per
    // (target set, pipeline), valid while its stamp is this phase's (no clearing per phase); else by (set, removals,
    // pipeline), rare.
    private CharMask[] _listMaskCells = [];
    private int[] _listMaskStamps = [];
    private int _phaseStamp;
    private readonly Dictionary<(int Set, ulong Removed, int Chain), CharMask> _listMasks = [];

    // Per variable, its entries as target values (see AllValues), valid while the stamp is this phase's.
    private List<WafTransaction.TargetValue>?[] _byVariable = [];
    private int[] _byVariableStamps = [];
    private int[] _byVariableUsed = new int[16];
    private int _byVariableUsedCount;

    /// <summary>The scratch of this thread, sized for <paramref name="rules"/>.</summary>
    public static PhaseScratch Rent(RuleSet rules)
    {
        var scratch = t_current ??= new PhaseScratch();
        if (scratch._lists.Length < rules.TargetSetCount)
        {
            scratch._lists = new List<WafTransaction.TargetValue>?[rules.TargetSetCount];
            scratch._filled = new bool[rules.TargetSetCount];
        }

        scratch._chains = rules.TransformChainCount;
        var cells = rules.TargetSetCount * rules.TransformChainCount;
        if (scratch._listMaskCells.Length < cells)
        {
            scratch._listMaskCells = new CharMask[cells];
            scratch._listMaskStamps = new int[cells];
        }

        if (++scratch._phaseStamp == int.MaxValue)
        {
            Array.Clear(scratch._listMaskStamps);
            scratch._phaseStamp = 1;
        }

        return scratch;
    }

    /// <summary>
    /// The values of target set <paramref name="set"/> minus the ctl removals <paramref name="removed"/> (bits of
    /// the transaction's removal list) if this phase collected them already.
    /// </summary>
    public List<WafTransaction.TargetValue>? Filled(int set, ulong removed) =>
        removed == 0 ? (_filled[set] ? _lists[set] : null) : _reduced.GetValueOrDefault((set, removed));

    /// <summary>An empty list to collect those values into; it counts as filled from now on.</summary>
    public List<WafTransaction.TargetValue> Fill(int set, ulong removed)
    {
        if (removed != 0)
        {
            var reduced = _spareReduced.TryPop(out var spare) ? spare : [];
            _reduced[(set, removed)] = reduced;
            return reduced;
        }

        var list = _lists[set] ??= [];
        _filled[set] = true;
        if (_usedCount == _used.Length)
        {
            Array.Resize(ref _used, _usedCount * 2);
        }

        _used[_usedCount++] = set;
        return list;
    }

    /// <summary>
    /// An empty list for the values of one rule that shares its target list with no other: refilled by the next
    /// such rule, instead of a list per transaction grown again on every request.
    /// </summary>
    public List<WafTransaction.TargetValue> OwnValues()
    {
        _own.Clear();
        return _own;
    }

    /// <summary>
    /// Every entry of <paramref name="variable"/> (<paramref name="list"/>) as target values with their slots, built once
    /// per phase: only for variables that cannot change while a phase runs (those of shared target sets), which the
    /// shared lists of many rules copy in bulk instead of looking up each entry's slot again.
    /// </summary>
    public ReadOnlySpan<WafTransaction.TargetValue> AllValues(Variable variable, EntryList list)
    {
        var index = (int)variable;
        if (_byVariable.Length <= index)
        {
            Array.Resize(ref _byVariable, index + 1);
            Array.Resize(ref _byVariableStamps, index + 1);
        }

        var values = _byVariable[index] ??= [];
        if (_byVariableStamps[index] != _phaseStamp)
        {
            _byVariableStamps[index] = _phaseStamp;
            values.Clear();
            foreach (var entry in list.AsSpan())
            {
                values.Add(new WafTransaction.TargetValue(variable, entry.Key, entry.Value, Slot(entry.Value)));
            }

            if (_byVariableUsedCount == _byVariableUsed.Length)
            {
                Array.Resize(ref _byVariableUsed, _byVariableUsedCount * 2);
            }

            _byVariableUsed[_byVariableUsedCount++] = index;
        }

        return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values);
    }

    /// <summary>The slot of a value in this phase's transformation cache.</summary>
    public int Slot(string value)
    {
        if (_slots.TryGetValue(value, out var slot))
        {
            return slot;
        }

        if (_contentSlots.TryGetValue(value, out slot))
        {
            _slots.Add(value, slot);
            return slot;
        }

        slot = _contentSlots.Count;
        _slots.Add(value, slot);
        _contentSlots.Add(value, slot);
        var needed = (slot + 1) * _chains;
        if (_results.Length < needed)
        {
            Array.Resize(ref _results, Math.Max(needed, _results.Length * 2));
            Array.Resize(ref _maskAt, _results.Length);
        }

        if (_visited.Length <= slot)
        {
            Array.Resize(ref _visited, Math.Max(slot + 1, _visited.Length * 2));
        }

        return slot;
    }

    /// <summary>Starts a rule's pass over its values, for <see cref="FirstVisit"/>.</summary>
    public void BeginRule()
    {
        if (++_visit == int.MaxValue)
        {
            Array.Clear(_visited);
            _visit = 1;
        }
    }

    /// <summary>True the first time the current rule's pass (see <see cref="BeginRule"/>) meets a value of this slot.</summary>
    public bool FirstVisit(int slot)
    {
        if (_visited[slot] == _visit)
        {
            return false;
        }

        _visited[slot] = _visit;
        return true;
    }

    /// <summary>The cached result of pipeline <paramref name="chain"/> on the value in <paramref name="slot"/>, or null.</summary>
    public string? Transformed(int slot, int chain) => _results[(slot * _chains) + chain];

    public void Remember(int slot, int chain, string value)
    {
        var at = (slot * _chains) + chain;
        _results[at] = value;
        if (_storedCount == _stored.Length)
        {
            Array.Resize(ref _stored, _storedCount * 2);
        }

        _stored[_storedCount++] = at;
    }

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
        var at = (slot * _chains) + chain.Id;
        var index = _maskAt[at];
        if (index != 0)
        {
            return index;
        }

        if (chain.Steps.Length > 0)
        {
            var prefix = chain.Prefix;
            var before = prefix.Steps.Length == 0 ? input : _results[(slot * _chains) + prefix.Id];
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

    /// <summary>The union of the char masks of a shared value list after pipeline <paramref name="chain"/>, if known.</summary>
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

    /// <summary>Forgets everything this phase collected.</summary>
    public void Return()
    {
        for (var i = 0; i < _usedCount; i++)
        {
            var set = _used[i];
            _filled[set] = false;
            var list = _lists[set]!;
            if (list.Capacity > KeepValues)
            {
                _lists[set] = null;
            }
            else
            {
                list.Clear();
            }
        }

        _usedCount = 0;
        for (var i = 0; i < _byVariableUsedCount; i++)
        {
            var values = _byVariable[_byVariableUsed[i]]!;
            if (values.Capacity > KeepValues)
            {
                _byVariable[_byVariableUsed[i]] = null;
            }
            else
            {
                values.Clear();
            }

            _byVariableStamps[_byVariableUsed[i]] = 0;
        }

        _byVariableUsedCount = 0;
        if (_own.Capacity > KeepValues)
        {
            _own = [];
        }

        _own.Clear();
        foreach (var reduced in _reduced.Values)
        {
            if (reduced.Capacity <= KeepValues && _spareReduced.Count < 64)
            {
                reduced.Clear();
                _spareReduced.Push(reduced);
            }
        }

        _reduced.Clear();
        _listMasks.Clear();
        if (_slots.Count > KeepSlots)
        {
            _slots = NewSlots();
            _contentSlots = new(256, StringComparer.Ordinal);
            _visited = [];
            _results = [];
            _stored = new int[256];
            _maskAt = [];
            _masks = new CharMask[64];
            _searched = new ulong[64];
            _found = new ulong[64];
            _maskStored = new int[256];
        }
        else
        {
            _slots.Clear();
            _contentSlots.Clear();
            for (var i = 0; i < _storedCount; i++)
            {
                _results[_stored[i]] = null;
            }

            for (var i = 0; i < _maskStoredCount; i++)
            {
                _maskAt[_maskStored[i]] = 0;
            }
        }

        _storedCount = 0;
        _maskStoredCount = 0;
        _maskCount = 1;
    }

    private static Dictionary<string, int> NewSlots() => new(256, ReferenceEqualityComparer.Instance);
}

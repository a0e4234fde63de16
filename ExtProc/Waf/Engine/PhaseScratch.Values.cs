namespace EnvoyGovern.ExtProc.Waf.Engine;

// The target values a phase collects once: per shared target set, per rule of its own, per variable.
internal sealed partial class PhaseScratch
{
    private ValueList?[] _lists = [];
    private bool[] _filled = [];
    private int[] _used = new int[16];
    private int _usedCount;

    // The values of a rule whose targets no other rule shares (see OwnValues).
    private ValueList _own = new();

    // Target sets some rules collect minus ctl-removed targets, by (set, which removals apply): rare, small.
    private readonly Dictionary<(int Set, ulong Removed), ValueList> _reduced = [];

    // Their lists, emptied, for the next phase: 941010's removal makes some on every ordinary request.
    private readonly Stack<ValueList> _spareReduced = new();

    // Per variable, its entries as target values (see AllValues), valid while the stamp is this phase's.
    private List<WafTransaction.TargetValue>?[] _byVariable = [];
    private int[] _byVariableStamps = [];
    private int[] _byVariableUsed = new int[16];
    private int _byVariableUsedCount;

    /// <summary>
    /// The values of target set <paramref name="set"/> minus the ctl removals <paramref name="removed"/> (bits of
    /// the transaction's removal list) if this phase collected them already.
    /// </summary>
    public ValueList? Filled(int set, ulong removed) =>
        removed == 0 ? (_filled[set] ? _lists[set] : null) : _reduced.GetValueOrDefault((set, removed));

    /// <summary>An empty list to collect those values into; it counts as filled from now on.</summary>
    public ValueList Fill(int set, ulong removed)
    {
        if (removed != 0)
        {
            var reduced = _spareReduced.TryPop(out var spare) ? spare : new ValueList();
            _reduced[(set, removed)] = reduced;
            return reduced;
        }

        var list = _lists[set] ??= new ValueList();
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
    public ValueList OwnValues()
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

    /// <summary>What <see cref="AllValues"/> gave for <paramref name="variable"/> in this phase.</summary>
    public ReadOnlySpan<WafTransaction.TargetValue> AllValuesGiven(Variable variable) =>
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_byVariable[(int)variable]);
}

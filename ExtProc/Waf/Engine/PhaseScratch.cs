using EnvoyGovern.ExtProc.Waf.Rules;

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

    // Target sets some rules collect minus ctl-removed targets, by (set, which removals apply): rare, small.
    private readonly Dictionary<(int Set, ulong Removed), List<WafTransaction.TargetValue>> _reduced = [];

    private PhaseScratch()
    {
    }

    // Transformation results: one row of TransformChainCount per value slot. Values are the collections' own
    // string instances, so instance identity is the cheap and exact key of a slot.
    private Dictionary<string, int> _slots = NewSlots();
    private string?[] _results = [];
    private int _chains;
    private int[] _stored = new int[256];
    private int _storedCount;

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
            var reduced = new List<WafTransaction.TargetValue>();
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

    /// <summary>The slot of a value in this phase's transformation cache.</summary>
    public int Slot(string value)
    {
        if (_slots.TryGetValue(value, out var slot))
        {
            return slot;
        }

        slot = _slots.Count;
        _slots.Add(value, slot);
        var needed = (slot + 1) * _chains;
        if (_results.Length < needed)
        {
            Array.Resize(ref _results, Math.Max(needed, _results.Length * 2));
        }

        return slot;
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
        _reduced.Clear();
        if (_slots.Count > KeepSlots)
        {
            _slots = NewSlots();
            _results = [];
            _stored = new int[256];
        }
        else
        {
            _slots.Clear();
            for (var i = 0; i < _storedCount; i++)
            {
                _results[_stored[i]] = null;
            }
        }

        _storedCount = 0;
    }

    private static Dictionary<string, int> NewSlots() => new(256, ReferenceEqualityComparer.Instance);
}

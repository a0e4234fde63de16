using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.ExtProc.Waf.Rules;

namespace EnvoyGovern.ExtProc.Waf.Engine;

/// <summary>
/// What one phase computes once and many rules reuse: each rule target list's values (hundreds of CRS
/// rules read the same ARGS, cookies and headers, minus the same exclusions) and each value's
/// transformations. A phase runs synchronously on one thread, so the scratch is per thread and reused by
/// the next phase on it, instead of being allocated and grown per request; it is emptied when the phase
/// ends, so it holds no request's data afterwards.
/// </summary>
internal sealed partial class PhaseScratch
{
    // A list or cache that grew past these for one huge request is dropped rather than kept per thread.
    private const int KeepValues = 4096;
    private const int KeepSlots = 4096;

    [ThreadStatic]
    private static PhaseScratch? t_current;

    private PhaseScratch()
    {
    }

    /// <summary>The scratch of this thread, sized for <paramref name="rules"/>.</summary>
    public static PhaseScratch Rent(RuleSet rules)
    {
        var scratch = t_current ??= new PhaseScratch();
        if (scratch._lists.Length < rules.TargetSetCount)
        {
            scratch._lists = new ValueList?[rules.TargetSetCount];
            scratch._filled = new bool[rules.TargetSetCount];
        }

        scratch.EnsureCells(rules.TransformChainCount);
        var cells = rules.TargetSetCount * rules.TransformChainCount;
        if (scratch._listMaskCells.Length < cells)
        {
            scratch._listMaskCells = new CharMask[cells];
            scratch._listMaskStamps = new int[cells];
        }

        if (++scratch._phaseStamp == int.MaxValue)
        {
            Array.Clear(scratch._listMaskStamps);
            Array.Clear(scratch._boundStamps);
            Array.Clear(scratch._wholeMaskStamps);
            scratch._phaseStamp = 1;
        }

        return scratch;
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
            _own = new ValueList();
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
        if (_contentSlots.Count > KeepSlots)
        {
            _slots = NewSlots();
            _contentSlots = new(256, StringComparer.Ordinal);
            _visited = [];
            _results = [];
            _stored = new int[256];
            _maskAt = [];
            _bounds = [];
            _boundStamps = [];
            _slotCapacity = 0;
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

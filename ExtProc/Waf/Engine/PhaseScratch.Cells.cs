namespace EnvoyGovern.ExtProc.Waf.Engine;

// The layout of the per (value slot, pipeline) cells: transformation results, their char masks and bounds.
internal sealed partial class PhaseScratch
{
    private const int FirstSlotCapacity = 64;

    // Cells are pipeline-major: a pipeline's row holds every slot, so a rule walking its list's values (consecutive
    // slots, mostly) reads consecutive cells. Slot-major rows put each value's cell for one pipeline a row of ~60
    // pipelines apart: a cache line per value and array, where the value loop's time went.
    private int _slotCapacity;

    private int Cell(int slot, int chain) => (chain * _slotCapacity) + slot;

    // Cells for this many pipelines: empty ones (a phase's Return emptied them), or kept as they are if large enough.
    private void EnsureCells(int chains)
    {
        _chains = chains;
        if (_slotCapacity == 0)
        {
            _slotCapacity = FirstSlotCapacity;
        }

        if (_results.Length < chains * _slotCapacity)
        {
            _results = new string?[chains * _slotCapacity];
            _maskAt = new int[_results.Length];
            _bounds = new Operators.CharMask[_results.Length];
            _boundStamps = new int[_results.Length];
        }
    }

    // Room for slot numbers below capacity: every row moved to its place in the wider layout, and the cells listed
    // for clearing renumbered.
    private void WidenCells(int capacity)
    {
        var cells = _chains * capacity;
        _results = Widen(_results, capacity, cells);
        _maskAt = Widen(_maskAt, capacity, cells);
        _bounds = Widen(_bounds, capacity, cells);
        _boundStamps = Widen(_boundStamps, capacity, cells);
        Renumber(_stored.AsSpan(0, _storedCount), capacity);
        Renumber(_maskStored.AsSpan(0, _maskStoredCount), capacity);
        _slotCapacity = capacity;
    }

    private T[] Widen<T>(T[] cells, int capacity, int count)
    {
        var wider = new T[count];
        for (var chain = 0; chain < _chains; chain++)
        {
            Array.Copy(cells, chain * _slotCapacity, wider, chain * capacity, _slotCapacity);
        }

        return wider;
    }

    private void Renumber(Span<int> cells, int capacity)
    {
        foreach (ref var cell in cells)
        {
            cell = (cell / _slotCapacity * capacity) + (cell % _slotCapacity);
        }
    }
}

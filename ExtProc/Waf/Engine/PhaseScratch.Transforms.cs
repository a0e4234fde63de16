using System.Runtime.InteropServices;

namespace EnvoyGovern.ExtProc.Waf.Engine;

// The transformation cache: value slots, the current rule's visits and each pipeline's result per slot.
internal sealed partial class PhaseScratch
{
    // Transformation results per (value slot, pipeline) cell (see Cell). A slot stands for a value's content, so
    // equal values (a form's repeated values, a name that is also a key) share their transformations, masks and a
    // rule's verdict (see FirstVisit). Values longer than this are also keyed by instance (see Slot).
    private const int ByInstanceFrom = 256;

    private Dictionary<string, int> _slots = NewSlots();
    private Dictionary<string, int> _contentSlots = new(256, StringComparer.Ordinal);

    // Per slot, the number of the last rule evaluation that visited it (see BeginRule and FirstVisit).
    private int[] _visited = [];
    private int _visit;
    private string?[] _results = [];
    private int _chains;
    private int[] _stored = new int[256];
    private int _storedCount;

    /// <summary>The slot of a value in this phase's transformation cache.</summary>
    public int Slot(string value)
    {
        // A short value is looked up by content alone (one hash, cheaper than an instance's first identity hash and a
        // second table); a long one by instance first, so one read by many rules (a request body) is hashed once.
        var byInstance = value.Length > ByInstanceFrom;
        if (byInstance && _slots.TryGetValue(value, out var known))
        {
            return known;
        }

        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_contentSlots, value, out var exists);
        if (!exists)
        {
            entry = _contentSlots.Count - 1;
        }

        var slot = entry;
        if (byInstance)
        {
            _slots.Add(value, slot);
        }

        if (exists)
        {
            return slot;
        }

        if (slot >= _slotCapacity)
        {
            WidenCells(_slotCapacity * 2);
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
    public string? Transformed(int slot, int chain) => _results[Cell(slot, chain)];

    public void Remember(int slot, int chain, string value)
    {
        var at = Cell(slot, chain);
        _results[at] = value;
        if (_storedCount == _stored.Length)
        {
            Array.Resize(ref _stored, _storedCount * 2);
        }

        _stored[_storedCount++] = at;
    }
}

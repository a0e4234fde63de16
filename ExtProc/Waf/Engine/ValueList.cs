using System.Runtime.InteropServices;

namespace EnvoyGovern.ExtProc.Waf.Engine;

/// <summary>
/// The values of one rule target list, in target order, and how they came in: a variable's entries copied whole (see
/// <see cref="PhaseScratch.AllValues"/>) or values added one by one. A list-wide char mask is then the union of the
/// whole variables' masks, each computed once per phase for every list that holds the variable (a CRS request fills ~60
/// shared lists, mostly of the same few variables), and of the single values' masks.
/// </summary>
internal sealed class ValueList
{
    private readonly List<WafTransaction.TargetValue> _values = [];

    // The values added one by one, as runs: start and end (exclusive) positions in _values.
    private readonly List<int> _singleRuns = [];

    /// <summary>How many values the list holds.</summary>
    public int Count => _values.Count;

    /// <summary>What the list can hold before it grows.</summary>
    public int Capacity => _values.Capacity;

    /// <summary>The variables whose entries the list holds whole, one bit per <see cref="Variable"/>.</summary>
    public UInt128 Whole { get; private set; }

    /// <summary>How many runs of values added one by one the list holds (see <see cref="SingleRun"/>).</summary>
    public int SingleRunCount => _singleRuns.Count / 2;

    public WafTransaction.TargetValue this[int index] => _values[index];

    /// <summary>The values added one by one, run <paramref name="run"/>: positions of the list.</summary>
    public ReadOnlySpan<WafTransaction.TargetValue> SingleRun(int run)
    {
        var start = _singleRuns[2 * run];
        return CollectionsMarshal.AsSpan(_values)[start.._singleRuns[(2 * run) + 1]];
    }

    /// <summary>Every entry of <paramref name="variable"/>, as <see cref="PhaseScratch.AllValues"/> gives them.</summary>
    public void AddWhole(Variable variable, ReadOnlySpan<WafTransaction.TargetValue> values)
    {
        _values.AddRange(values);
        Whole |= UInt128.One << (int)variable;
    }

    /// <summary>One value (an entry picked by key, a count, a value of an unstable variable).</summary>
    public void Add(WafTransaction.TargetValue value)
    {
        var at = _values.Count;
        if (_singleRuns.Count > 0 && _singleRuns[^1] == at)
        {
            _singleRuns[^1] = at + 1;
        }
        else
        {
            _singleRuns.Add(at);
            _singleRuns.Add(at + 1);
        }

        _values.Add(value);
    }

    public void Clear()
    {
        _values.Clear();
        _singleRuns.Clear();
        Whole = UInt128.Zero;
    }

    public List<WafTransaction.TargetValue>.Enumerator GetEnumerator() => _values.GetEnumerator();
}

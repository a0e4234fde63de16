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
    private const int KeepTransforms = 8192;

    [ThreadStatic]
    private static PhaseScratch? t_current;

    private List<WafTransaction.TargetValue>?[] _lists = [];
    private bool[] _filled = [];
    private int[] _used = new int[16];
    private int _usedCount;

    private PhaseScratch()
    {
    }

    public Dictionary<WafTransaction.TransformKey, string> Transforms { get; private set; } = NewTransforms();

    /// <summary>The scratch of this thread, sized for <paramref name="rules"/>.</summary>
    public static PhaseScratch Rent(RuleSet rules)
    {
        var scratch = t_current ??= new PhaseScratch();
        if (scratch._lists.Length < rules.TargetSetCount)
        {
            scratch._lists = new List<WafTransaction.TargetValue>?[rules.TargetSetCount];
            scratch._filled = new bool[rules.TargetSetCount];
        }

        return scratch;
    }

    /// <summary>The values of target set <paramref name="set"/> if this phase collected them already.</summary>
    public List<WafTransaction.TargetValue>? Filled(int set) => _filled[set] ? _lists[set] : null;

    /// <summary>An empty list to collect target set <paramref name="set"/> into; it counts as filled from now on.</summary>
    public List<WafTransaction.TargetValue> Fill(int set)
    {
        var list = _lists[set] ??= [];
        _filled[set] = true;
        if (_usedCount == _used.Length)
        {
            Array.Resize(ref _used, _usedCount * 2);
        }

        _used[_usedCount++] = set;
        return list;
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
        if (Transforms.Count > KeepTransforms)
        {
            Transforms = NewTransforms();
        }
        else
        {
            Transforms.Clear();
        }
    }

    private static Dictionary<WafTransaction.TransformKey, string> NewTransforms() => new(1024, WafTransaction.TransformKeyComparer.Instance);
}

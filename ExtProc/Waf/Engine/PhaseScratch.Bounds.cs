using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.ExtProc.Waf.Transformations;

namespace EnvoyGovern.ExtProc.Waf.Engine;

// Bounds of the transformation results' char masks (see MaskBounds), per value slot and pipeline.
internal sealed partial class PhaseScratch
{
    // In the same cells as _results; a cell is valid while its stamp is this phase's (no clearing per phase).
    private CharMask[] _bounds = [];
    private int[] _boundStamps = [];

    /// <summary>
    /// A superset of the chars of pipeline <paramref name="chain"/>'s result on the value in <paramref name="slot"/>
    /// (<paramref name="input"/>), from the value's own chars: one step's bound on its prefix's, each computed once per
    /// phase, so a rule's check before its pipeline runs costs a lookup.
    /// </summary>
    public CharMask Bound(int slot, string input, TransformChain chain)
    {
        if (chain.LastBound is not { } last)
        {
            return Mask(slot, input, chain, input);
        }

        var at = Cell(slot, chain.Id);
        if (_boundStamps[at] == _phaseStamp)
        {
            return _bounds[at];
        }

        var bound = last.Apply(Bound(slot, input, chain.Prefix));
        _bounds[at] = bound;
        _boundStamps[at] = _phaseStamp;
        return bound;
    }
}

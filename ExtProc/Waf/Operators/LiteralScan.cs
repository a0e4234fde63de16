namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>
/// One search for the literals of many prefilters at once: each group is the literal set of one prefilter (an
/// <c>@rx</c> pattern's necessary literals, a conditional prefilter's, <c>@pm</c>'s phrases) and a value's scan sets
/// the bit of every group one of whose literals it contains, ASCII case ignored. The CRS has a few dozen such
/// prefilters per transformation pipeline, each searching the same transformed value; one pass of a combined automaton
/// replaces those searches, and a rule then tests one bit.
/// </summary>
/// <remarks>
/// The bits are a superset of what the prefilters themselves accept, never less: a literal compared with case (an
/// <c>@rx</c> without <c>(?i)</c>) is looked for ignoring case here. A group with a non-ASCII literal cannot be
/// compared this way (.NET case-insensitive comparisons equate some non-ASCII chars with ASCII letters) and is not
/// accepted (see <see cref="Accepts"/>). A value with a non-ASCII char gets every bit, as its char mask
/// (<see cref="CharMask.All"/>) claims every char. A conditional group's bit is also set when the value holds one of
/// its <see cref="ConditionalPrefilter.Absent"/> chars: the condition does not apply to it.
/// </remarks>
internal sealed class LiteralScan
{
    private readonly AhoCorasick? _automaton;

    // Per node, 1 + the index of its group set in _sets (0: none): the groups of the literals that end there or at a
    // node along its failure links, i.e. every literal the search has just found.
    private readonly int[] _marks = [];
    private readonly ulong[] _sets;
    private readonly (int Group, CharMask Absent)[] _conditions;

    /// <summary>The groups, each a literal set with the chars whose presence also sets its bit (none for most).</summary>
    public LiteralScan(IReadOnlyList<(IReadOnlyCollection<string> Literals, CharMask Absent)> groups)
    {
        GroupCount = groups.Count;
        Words = (groups.Count + 63) / 64;
        _conditions = [.. groups.Select((g, i) => (i, g.Absent)).Where(c => !c.Absent.IsNone)];
        var phrases = groups.SelectMany(g => g.Literals).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (phrases.Count == 0)
        {
            _sets = [];
            return;
        }

        var automaton = new AhoCorasick(phrases);
        _automaton = automaton;

        // The groups of the literals ending at each node, then inherited along the failure links in node order.
        var own = new Dictionary<int, ulong[]>();
        for (var g = 0; g < groups.Count; g++)
        {
            foreach (var literal in groups[g].Literals)
            {
                var node = automaton.NodeOf(literal);
                if (node < 0)
                {
                    throw new InvalidOperationException($"literal '{literal}' is not in the combined automaton");
                }

                if (!own.TryGetValue(node, out var bits))
                {
                    own[node] = bits = new ulong[Words];
                }

                bits[g >> 6] |= 1UL << (g & 63);
            }
        }

        var sets = new List<ulong>();
        var known = new Dictionary<string, int>(StringComparer.Ordinal);
        _marks = new int[automaton.NodeCount];
        for (var node = 1; node < _marks.Length; node++)
        {
            var inherited = _marks[automaton.FailureOf(node)];
            if (!own.TryGetValue(node, out var bits))
            {
                _marks[node] = inherited;
                continue;
            }

            if (inherited != 0)
            {
                for (var w = 0; w < Words; w++)
                {
                    bits[w] |= sets[((inherited - 1) * Words) + w];
                }
            }

            var key = string.Join(',', bits);
            if (!known.TryGetValue(key, out var index))
            {
                known[key] = index = (sets.Count / Words) + 1;
                sets.AddRange(bits);
            }

            _marks[node] = index;
        }

        _sets = [.. sets];
    }

    /// <summary>How many groups (bits) a scan sets.</summary>
    public int GroupCount { get; }

    /// <summary>The bits' length in 64-bit words.</summary>
    public int Words { get; }

    /// <summary>Whether a literal set can be a group: no empty literal (it would be in every value) and ASCII only.</summary>
    public static bool Accepts(IEnumerable<string> literals) => literals.All(l => l.Length > 0 && !l.AsSpan().ContainsAnyExceptInRange('\0', '\x7F'));

    /// <summary>Sets in <paramref name="hits"/> (<see cref="Words"/> long, cleared) the bits of the groups <paramref name="value"/> may satisfy.</summary>
    public void Scan(string value, CharMask mask, Span<ulong> hits)
    {
        if (mask == CharMask.All)
        {
            hits.Fill(ulong.MaxValue);
            return;
        }

        if (_automaton is not null)
        {
            var sink = new Marker(_marks, _sets, hits);
            _automaton.Walk(value, ref sink);
        }

        foreach (var (group, absent) in _conditions)
        {
            if (mask.Overlaps(absent))
            {
                hits[group >> 6] |= 1UL << (group & 63);
            }
        }
    }

    /// <summary>True when bit <paramref name="group"/> is set in <paramref name="hits"/>.</summary>
    public static bool Has(ReadOnlySpan<ulong> hits, int group) => (hits[group >> 6] & (1UL << (group & 63))) != 0;

    private ref struct Marker(int[] marks, ulong[] sets, Span<ulong> hits) : AhoCorasick.INodeSink
    {
        private readonly Span<ulong> _hits = hits;

        public readonly bool Reached(int node, int index)
        {
            var mark = marks[node];
            if (mark != 0)
            {
                var words = _hits.Length;
                var set = sets.AsSpan((mark - 1) * words, words);
                for (var w = 0; w < words; w++)
                {
                    _hits[w] |= set[w];
                }
            }

            return false;
        }
    }
}

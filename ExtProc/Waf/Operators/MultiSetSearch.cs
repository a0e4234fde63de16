namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>
/// Which of up to 64 sets of ASCII literals occur in a text, in one pass over it: an Aho-Corasick automaton over every
/// set's literals, held as a full transition table (one array read per char) whose nodes carry the bits of the sets
/// whose literals end there. The conditional prefilters' word lists (the CRS's command and SQL words, hundreds each)
/// are searched this way once per distinct value instead of once per list; see <see cref="ConditionalPrefilter"/>.
/// </summary>
/// <remarks>
/// The literals and the text are compared with ASCII letters folded to lower case: for a case-insensitive set the
/// answer is exact on ASCII text (which is what <c>OrdinalIgnoreCase</c> does there), for a case-sensitive set it is a
/// superset (a bit in <see cref="CaseSensitive"/> says "maybe", to be confirmed by the set's own search). A text with a
/// non-ASCII char is not searched: Unicode case folding may equate such a char with an ASCII one.
/// </remarks>
internal sealed class MultiSetSearch
{
    /// <summary>The most sets one search tells apart (the bits of a <see cref="ulong"/>).</summary>
    public const int MaxSets = 64;

    // Node numbers are held in 16 bits (the CRS's conditions make 8,822 nodes: a table of ~1.2 MB).
    private const int MaxNodes = ushort.MaxValue + 1;

    // Per ASCII char its class (0: in no literal; upper-case letters share the lower-case letter's class).
    private readonly byte[] _class;
    private readonly int _classes;

    // _next[node * _classes + class]: the node after reading a char of that class, failure links already followed.
    private readonly ushort[] _next;

    // Per node the sets one of whose literals ends at it or at a node its failure links reach.
    private readonly ulong[] _sets;

    private MultiSetSearch(byte[] classes, int classCount, ushort[] next, ulong[] sets, ulong all, ulong caseSensitive)
    {
        _class = classes;
        _classes = classCount;
        _next = next;
        _sets = sets;
        Sets = all;
        CaseSensitive = caseSensitive;
    }

    /// <summary>The bits of the sets searched (bit <c>i</c> for set <c>i</c>).</summary>
    public ulong Sets { get; }

    /// <summary>The bits of the case-sensitive sets, whose found bits are candidates only.</summary>
    public ulong CaseSensitive { get; }

    /// <summary>
    /// The search for <paramref name="sets"/> (bit <c>i</c> for set <c>i</c>), or null when a set holds a non-ASCII
    /// char or an empty literal, there are more than <see cref="MaxSets"/> sets, or the automaton would be too large.
    /// </summary>
    public static MultiSetSearch? Build(IReadOnlyList<(IReadOnlyCollection<string> Literals, bool IgnoreCase)> sets)
    {
        if (sets.Count > MaxSets || sets.Any(s => s.Literals.Any(l => l.Length == 0 || l.AsSpan().ContainsAnyExceptInRange('\0', '\x7F'))))
        {
            return null;
        }

        var classes = new byte[128];
        var classCount = 1;
        foreach (var c in sets.SelectMany(s => s.Literals).SelectMany(l => l).Select(Fold).Distinct().Order())
        {
            classes[c] = (byte)classCount++;
        }

        for (var c = 'A'; c <= 'Z'; c++)
        {
            classes[c] = classes[Fold(c)];
        }

        var trie = new Trie();
        var caseSensitive = 0UL;
        for (var i = 0; i < sets.Count; i++)
        {
            caseSensitive |= sets[i].IgnoreCase ? 0 : 1UL << i;
            foreach (var literal in sets[i].Literals)
            {
                trie.Add(literal, classes, 1UL << i);
                if (trie.Count > MaxNodes)
                {
                    return null;
                }
            }
        }

        var all = sets.Count == MaxSets ? ulong.MaxValue : (1UL << sets.Count) - 1;
        return new MultiSetSearch(classes, classCount, trie.Table(classCount), [.. trie.Sets], all, caseSensitive);
    }

    /// <summary>
    /// The sets one of whose literals <paramref name="text"/> holds (see the remarks for case-sensitive sets); false,
    /// and nothing found, when the text holds a non-ASCII char.
    /// </summary>
    public bool TrySearch(ReadOnlySpan<char> text, out ulong found)
    {
        found = 0;
        var classes = _class;
        var next = _next;
        var sets = _sets;
        var width = _classes;
        var node = 0;
        foreach (var c in text)
        {
            if (c > '\x7F')
            {
                found = 0;
                return false;
            }

            node = next[(node * width) + classes[c]];
            found |= sets[node];
        }

        return true;
    }

    private static char Fold(char c) => char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;

    // The trie while it is built: children by class per node, then the table breadth first.
    private sealed class Trie
    {
        private readonly List<Dictionary<byte, int>> _children = [[]];

        public List<ulong> Sets { get; } = [0];

        public int Count => Sets.Count;

        public void Add(string literal, byte[] classes, ulong bit)
        {
            var node = 0;
            foreach (var c in literal)
            {
                var cls = classes[c];
                if (!_children[node].TryGetValue(cls, out var child))
                {
                    child = Sets.Count;
                    _children[node][cls] = child;
                    _children.Add([]);
                    Sets.Add(0);
                }

                node = child;
            }

            Sets[node] |= bit;
        }

        // Breadth first, so a node's failure target (shallower) has its row and its sets complete before the node.
        public ushort[] Table(int width)
        {
            var next = new ushort[Sets.Count * width];
            var fail = new int[Sets.Count];
            var queue = new Queue<int>();
            foreach (var (cls, child) in _children[0])
            {
                next[cls] = (ushort)child;
                queue.Enqueue(child);
            }

            while (queue.TryDequeue(out var node))
            {
                Sets[node] |= Sets[fail[node]];
                var row = node * width;
                var fallback = fail[node] * width;
                for (var cls = 0; cls < width; cls++)
                {
                    next[row + cls] = next[fallback + cls];
                }

                foreach (var (cls, child) in _children[node])
                {
                    fail[child] = next[fallback + cls];
                    next[row + cls] = (ushort)child;
                    queue.Enqueue(child);
                }
            }

            return next;
        }
    }
}

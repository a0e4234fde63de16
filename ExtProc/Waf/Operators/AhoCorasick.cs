using System.Buffers;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>
/// Multi-phrase search for <c>@pm</c>/<c>@pmFromFile</c>: ASCII case-insensitive, linear in the input
/// whatever the number of phrases.
/// </summary>
/// <remarks>
/// The trie is held flat, in a few arrays (the CRS's ~92,000 nodes in ~1.3 MB; a dictionary per node took
/// ~20 MB): nodes are numbered breadth first, in order of their paths within a level, so the children of a node
/// are consecutive numbers whose parents come in the same order, and node <c>k</c>'s children are
/// <c>_first[k] .. _first[k + 1] - 1</c>, each with the char of its edge in <c>_label</c>, sorted.
/// </remarks>
internal sealed partial class AhoCorasick
{
    // The hot part as a table: the first nodes (breadth first, at least 1,024 and up to MaxCells cells of 2
    // bytes, 512 KB) get a row with the next node for every phrase char, failure links already followed, so a
    // benign value costs one array read per char. Deeper nodes search their few children and failure chain,
    // and so does a cell whose next node does not fit in 16 bits (Far; none in the CRS, whose largest list
    // has 45,000 nodes).
    private const int MaxCells = 1 << 18;
    private const ushort Far = ushort.MaxValue;

    private readonly int[] _first;
    private readonly char[] _label;
    private readonly int[] _fail;
    private readonly int[] _output;

    // The characters that start a phrase, in both ASCII cases: at the root, the search skips to the next one
    // with a vectorized scan (most of a benign value starts no phrase) instead of a lookup per character.
    private readonly SearchValues<char> _starts;
    private readonly bool[] _isStart = new bool[256];
    private readonly byte[] _class = new byte[256];
    private readonly int _classes;
    private readonly int _rows;
    private readonly ushort[] _table;

    /// <param name="phrases">The phrases, compared ignoring ASCII case.</param>
    /// <param name="scan">How a value is searched; <see cref="ScanMode.Auto"/> picks by the phrases (see <see cref="ScanMode"/>).</param>
    public AhoCorasick(IEnumerable<string> phrases, ScanMode scan = ScanMode.Auto)
    {
        var all = phrases.Where(p => p.Length > 0).ToArray();
        var trie = FlatTrie.Build(all);
        PhraseCount = trie.PhraseCount;
        _first = trie.First;
        _label = trie.Label;
        _ends = PhraseEnds(trie.Output);
        _output = trie.Output;
        _fail = new int[_label.Length];
        BuildFailureLinks();

        var chars = new List<char>();
        foreach (var c in _label.AsSpan(1))
        {
            if (c <= '\xFF' && _class[c] == 0)
            {
                chars.Add(c);
                _class[c] = (byte)chars.Count;
            }
        }

        _classes = chars.Count + 1;
        _rows = Math.Min(_label.Length, Math.Max(1024, MaxCells / _classes));
        _table = new ushort[_rows * _classes];
        BuildTable(chars);

        var starts = _label[_first[0].._first[1]].ToList();
        starts.AddRange(starts.Where(char.IsAsciiLetterLower).Select(char.ToUpperInvariant).ToList());
        _starts = SearchValues.Create([.. starts]);
        foreach (var c in starts.Where(c => c <= '\xFF'))
        {
            _isStart[c] = true;
        }

        (_grams, _minLength) = BuildGrams(all, starts, scan);
    }

    public int PhraseCount { get; }

    /// <summary>
    /// Finds the phrase occurrence that ends first (the longest of those ending there); returns its start and length,
    /// or -1.
    /// </summary>
    public int Find(ReadOnlySpan<char> text, out int length) =>
        _grams is null ? FindByAutomaton(text, out length) : FindByGrams(text, out length);

    private int FindByAutomaton(ReadOnlySpan<char> text, out int length)
    {
        var output = _output;
        var node = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            // At the root, a char that starts no phrase sends the search to the next one that does (vectorized);
            // a starting char (most letters of a benign value) is stepped directly, without the call.
            if (node == 0 && (c > '\xFF' || !_isStart[c]))
            {
                var skip = text[i..].IndexOfAny(_starts);
                if (skip < 0)
                {
                    break;
                }

                i += skip;
                c = text[i];
            }

            node = Step(node, Fold(c));
            if (output[node] > 0)
            {
                length = output[node];
                return i - length + 1;
            }
        }

        length = 0;
        return -1;
    }

    private int Step(int node, char c)
    {
        if (c > '\xFF')
        {
            return SlowStep(node, c);
        }

        var cls = _class[c];
        if (cls == 0)
        {
            // No phrase has this char: every node goes back to the root.
            return 0;
        }

        while (true)
        {
            if (node < _rows && _table[(node * _classes) + cls] is var next and not Far)
            {
                return next;
            }

            var child = Child(node, c);
            if (child > 0 || node == 0)
            {
                return child;
            }

            node = _fail[node];
        }
    }

    // Follow the failure links until a node has the character, or the root has not.
    private int SlowStep(int node, char c)
    {
        while (true)
        {
            var child = Child(node, c);
            if (child > 0 || node == 0)
            {
                return child;
            }

            node = _fail[node];
        }
    }

    // The child of the node along c, or 0 (the root is nobody's child). Below the table's rows a node has few
    // children, and the vectorized search finds c among them in one step.
    private int Child(int node, char c)
    {
        var start = _first[node];
        var at = _label.AsSpan(start, _first[node + 1] - start).IndexOf(c);
        return at < 0 ? 0 : start + at;
    }

    private static char Fold(char c) => char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;

    // In node order, which is breadth first: a node's failure target is shallower, so its link (and output)
    // is final by the time it is needed.
    private void BuildFailureLinks()
    {
        for (var parent = 0; parent < _label.Length; parent++)
        {
            for (var child = _first[parent]; child < _first[parent + 1]; child++)
            {
                var c = _label[child];
                var target = 0;
                if (parent != 0)
                {
                    var fallback = _fail[parent];
                    while ((target = Child(fallback, c)) == 0 && fallback != 0)
                    {
                        fallback = _fail[fallback];
                    }
                }

                _fail[child] = target;
                // A phrase that ends inside a longer one is found there too (the shortest is enough to match).
                if (_output[child] == 0)
                {
                    _output[child] = _output[target];
                }
            }
        }
    }

    // Fills the rows of the first nodes, one cell per phrase char's class (class 0: in no phrase): a node's
    // failure target is shallower, so its row (or its own failure chain) is complete by then.
    private void BuildTable(List<char> chars)
    {
        for (var node = 0; node < _rows; node++)
        {
            foreach (var c in chars)
            {
                var child = Child(node, c);
                var next = child > 0 || node == 0 ? child : Step(_fail[node], c);
                _table[(node * _classes) + _class[c]] = next < Far ? (ushort)next : Far;
            }
        }
    }

    /// <summary>The trie's arrays, numbered breadth first (see the class remarks); node 0 is the root.</summary>
    private readonly record struct FlatTrie(int[] First, char[] Label, int[] Output, int PhraseCount)
    {
        // Level by level over the sorted phrases: the phrases that reach a depth share a node there while they
        // share the prefix of that length, so each level's nodes come in the order of their paths, children
        // together and in char order. No temporary per node: the arrays are sized from the phrases first.
        public static FlatTrie Build(IEnumerable<string> phrases)
        {
            var folded = phrases.Where(p => p.Length > 0).Select(p => string.Create(p.Length, p, static (span, phrase) =>
            {
                for (var i = 0; i < phrase.Length; i++)
                {
                    span[i] = Fold(phrase[i]);
                }
            })).ToArray();
            Array.Sort(folded, StringComparer.Ordinal);

            // shared[i]: the common prefix of phrase i and the one before it; the trie has a node per char after it.
            var shared = new int[folded.Length];
            var count = 1;
            for (var i = 0; i < folded.Length; i++)
            {
                shared[i] = i == 0 ? 0 : folded[i].AsSpan().CommonPrefixLength(folded[i - 1]);
                count += folded[i].Length - shared[i];
            }

            var first = new int[count + 1];
            var label = new char[count];
            var output = new int[count];
            var active = Enumerable.Range(0, folded.Length).ToArray();
            var node = new int[folded.Length];
            var live = active.Length;
            var next = 1;
            for (var depth = 1; live > 0; depth++)
            {
                var kept = 0;
                var carried = int.MaxValue;
                for (var a = 0; a < live; a++)
                {
                    var i = active[a];
                    var phrase = folded[i];
                    if (phrase.Length < depth)
                    {
                        // Gone from this level on: the next phrase's common prefix is now with the one before it.
                        carried = Math.Min(carried, shared[i]);
                        continue;
                    }

                    shared[i] = Math.Min(carried, shared[i]);
                    carried = int.MaxValue;
                    if (kept > 0 && shared[i] >= depth)
                    {
                        node[i] = node[active[kept - 1]];
                    }
                    else
                    {
                        first[node[i] + 1]++;
                        label[next] = phrase[depth - 1];
                        node[i] = next++;
                    }

                    if (phrase.Length == depth)
                    {
                        output[node[i]] = depth;
                    }

                    active[kept++] = i;
                }

                live = kept;
            }

            first[0] = 1;
            for (var k = 0; k < count; k++)
            {
                first[k + 1] += first[k];
            }

            return new FlatTrie(first, label, output, folded.Length);
        }
    }
}

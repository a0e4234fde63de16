using System.Buffers;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>
/// Multi-phrase search for <c>@pm</c>/<c>@pmFromFile</c>: ASCII case-insensitive, linear in the input
/// whatever the number of phrases.
/// </summary>
internal sealed class AhoCorasick
{
    private readonly List<Dictionary<char, int>> _next = [];
    private readonly List<int> _fail = [];
    private readonly List<int> _output = [];

    // The characters that start a phrase, in both ASCII cases: at the root, the search skips to the next one
    // with a vectorized scan (most of a benign value starts no phrase) instead of a lookup per character.
    private readonly SearchValues<char> _starts;
    private readonly bool[] _isStart = new bool[256];
    private readonly int[] _outputs;

    // The hot part as a table: the shallowest nodes (breadth first, at least 1,024 and up to MaxCells cells of
    // 4 bytes, 1 MB) get a row with the next node for every phrase char, failure links already followed, so a
    // benign value costs one array read per char instead of dictionary lookups along the failure chain.
    // Deeper nodes keep the dictionaries.
    private const int MaxCells = 1 << 18;
    private readonly byte[] _class = new byte[256];
    private int _classes;
    private int[] _row = [];
    private int[] _table = [];

    public AhoCorasick(IEnumerable<string> phrases)
    {
        NewNode();
        foreach (var phrase in phrases)
        {
            if (phrase.Length == 0)
            {
                continue;
            }

            var node = 0;
            foreach (var raw in phrase)
            {
                var c = Fold(raw);
                if (!_next[node].TryGetValue(c, out var child))
                {
                    child = NewNode();
                    _next[node][c] = child;
                }

                node = child;
            }

            _output[node] = phrase.Length;
            PhraseCount++;
        }

        var order = BuildFailureLinks();
        BuildTable(order);
        var starts = _next[0].Keys.ToList();
        starts.AddRange(starts.Where(char.IsAsciiLetterLower).Select(char.ToUpperInvariant).ToList());
        _starts = SearchValues.Create([.. starts]);
        foreach (var c in starts.Where(c => c <= '\xFF'))
        {
            _isStart[c] = true;
        }

        _outputs = [.. _output];
    }

    public int PhraseCount { get; }

    /// <summary>Finds the first phrase occurrence; returns its start and length, or -1.</summary>
    public int Find(ReadOnlySpan<char> text, out int length)
    {
        var output = _outputs;
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

        while (_row[node] < 0)
        {
            if (_next[node].TryGetValue(c, out var child))
            {
                return child;
            }

            node = _fail[node];
        }

        return _table[(_row[node] * _classes) + cls];
    }

    // One lookup per node: follow the failure links until a node has the character, or the root has not.
    private int SlowStep(int node, char c)
    {
        while (true)
        {
            if (_next[node].TryGetValue(c, out var child))
            {
                return child;
            }

            if (node == 0)
            {
                return 0;
            }

            node = _fail[node];
        }
    }

    private static char Fold(char c) => char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;

    private int NewNode()
    {
        _next.Add([]);
        _fail.Add(0);
        _output.Add(0);
        return _next.Count - 1;
    }

    // Numbers the phrase chars (class 0: in no phrase) and fills the rows of the first nodes in breadth-first
    // order: a node's failure target is shallower, so its row (or its own failure chain) is complete by then.
    private void BuildTable(List<int> order)
    {
        var chars = new List<char>();
        foreach (var next in _next)
        {
            foreach (var c in next.Keys)
            {
                if (c <= '\xFF' && _class[c] == 0)
                {
                    chars.Add(c);
                    _class[c] = (byte)chars.Count;
                }
            }
        }

        _classes = chars.Count + 1;
        _row = new int[_next.Count];
        Array.Fill(_row, -1);
        var rows = Math.Min(order.Count, Math.Max(1024, MaxCells / _classes));
        _table = new int[rows * _classes];
        for (var r = 0; r < rows; r++)
        {
            var node = order[r];
            foreach (var c in chars)
            {
                _table[(r * _classes) + _class[c]] = _next[node].TryGetValue(c, out var child) ? child : node == 0 ? 0 : Step(_fail[node], c);
            }

            _row[node] = r;
        }
    }

    private List<int> BuildFailureLinks()
    {
        var order = new List<int> { 0 };
        var queue = new Queue<int>();
        foreach (var child in _next[0].Values)
        {
            queue.Enqueue(child);
        }

        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            order.Add(node);
            foreach (var (c, child) in _next[node])
            {
                var fallback = _fail[node];
                while (fallback != 0 && !_next[fallback].ContainsKey(c))
                {
                    fallback = _fail[fallback];
                }

                _fail[child] = _next[fallback].TryGetValue(c, out var target) && target != child ? target : 0;
                // A phrase that ends inside a longer one is found there too (the shortest is enough to match).
                if (_output[child] == 0 && _output[_fail[child]] > 0)
                {
                    _output[child] = _output[_fail[child]];
                }

                queue.Enqueue(child);
            }
        }

        return order;
    }
}

namespace EnvoyGovern.ExtProc.Waf.Engine;

/// <summary>One value of a variable: its key within the collection (empty for scalars) and its text.</summary>
internal readonly record struct Entry(string Key, string Value);

/// <summary>
/// An ordered multi-map of one variable's entries (ARGS may hold the same name twice). Keys compare
/// case-insensitively, as in ModSecurity.
/// </summary>
internal sealed class EntryList(bool indexed = false)
{
    // TX is read by name hundreds of times per request: it keeps a key index (one entry per key).
    private readonly Dictionary<string, int>? _index = indexed ? new(StringComparer.OrdinalIgnoreCase) : null;
    // Most of a transaction's ~70 collections stay empty: their array comes with the first entry.
    private Entry[] _entries = [];
    private int _count;

    public int Count => _count;

    public Entry this[int index] => index < _entries.Length ? _entries[index] : default;

    public ReadOnlySpan<Entry> AsSpan() => _entries.AsSpan(0, _count);

    public void Add(string key, string value)
    {
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, Math.Max(4, _count * 2));
        }

        _entries[_count++] = new Entry(key, value);
    }

    /// <summary>Replaces every entry under the key with one (TX-style assignment).</summary>
    public void Set(string key, string value)
    {
        if (_index is not null)
        {
            if (_index.TryGetValue(key, out var at))
            {
                _entries[at] = new Entry(_entries[at].Key, value);
            }
            else
            {
                _index[key] = _count;
                Add(key, value);
            }

            return;
        }

        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.OrdinalIgnoreCase))
            {
                _entries[i] = new Entry(_entries[i].Key, value);
                RemoveAfter(i + 1, key);
                return;
            }
        }

        Add(key, value);
    }

    public bool Remove(string key)
    {
        var removed = false;
        var write = 0;
        for (var read = 0; read < _count; read++)
        {
            if (string.Equals(_entries[read].Key, key, StringComparison.OrdinalIgnoreCase))
            {
                removed = true;
                continue;
            }

            _entries[write++] = _entries[read];
        }

        Array.Clear(_entries, write, _count - write);
        _count = write;
        if (removed && _index is not null)
        {
            _index.Clear();
            for (var i = 0; i < _count; i++)
            {
                _index[_entries[i].Key] = i;
            }
        }

        return removed;
    }

    public string? Get(string key)
    {
        if (_index is not null)
        {
            return _index.TryGetValue(key, out var at) ? _entries[at].Value : null;
        }

        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return _entries[i].Value;
            }
        }

        return null;
    }

    public int CountKey(string key)
    {
        if (_index is not null)
        {
            return _index.ContainsKey(key) ? 1 : 0;
        }

        var n = 0;
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.OrdinalIgnoreCase))
            {
                n++;
            }
        }

        return n;
    }

    public void Clear()
    {
        _index?.Clear();
        Array.Clear(_entries, 0, _count);
        _count = 0;
    }

    /// <summary>Empties the list for another transaction; an array or index grown past <paramref name="keep"/> entries is dropped.</summary>
    public void Reset(int keep)
    {
        // Most of a transaction's collections were never written: nothing to empty (an index holds only listed keys).
        if (_count == 0 && _entries.Length <= keep)
        {
            _index?.Clear();
            return;
        }

        if (_entries.Length > keep)
        {
            _entries = [];
        }
        else
        {
            Array.Clear(_entries, 0, _count);
        }

        _count = 0;

        if (_index is not null)
        {
            var large = _index.Count > keep;
            _index.Clear();
            if (large)
            {
                _index.TrimExcess();
            }
        }
    }

    private void RemoveAfter(int start, string key)
    {
        var write = start;
        for (var read = start; read < _count; read++)
        {
            if (!string.Equals(_entries[read].Key, key, StringComparison.OrdinalIgnoreCase))
            {
                _entries[write++] = _entries[read];
            }
        }

        Array.Clear(_entries, write, _count - write);
        _count = write;
    }
}

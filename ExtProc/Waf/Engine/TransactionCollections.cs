using System.Collections.Concurrent;

namespace EnvoyGovern.ExtProc.Waf.Engine;

/// <summary>
/// The ~70 variable collections of a transaction, reused by the next transaction once the exchange that held
/// them ended: one set per exchange in flight instead of ~70 lists and their arrays per exchange, most of what a
/// headers-only exchange allocated (bench/README.md, "ext_proc headers, sixth pass"). A returned set is emptied
/// first, so it holds no request's values while it waits.
/// </summary>
internal static class TransactionCollections
{
    // Sets kept beyond the exchanges in flight: the load harness keeps 64 streams open; more are made when needed.
    private const int Retained = 128;

    // Entries a list keeps its array for; a larger one (a request with thousands of arguments) is dropped.
    private const int KeepEntries = 256;

    private static readonly ConcurrentQueue<EntryList[]> Pool = new();
    private static int _pooled;

    /// <summary>A set of empty collections, one per <see cref="Variable"/>.</summary>
    public static EntryList[] Rent()
    {
        if (Pool.TryDequeue(out var lists))
        {
            Interlocked.Decrement(ref _pooled);
            return lists;
        }

        lists = new EntryList[Variables.Count];
        for (var i = 0; i < lists.Length; i++)
        {
            lists[i] = new EntryList(indexed: i == (int)Variable.Tx || i == (int)Variable.Flags);
        }

        return lists;
    }

    /// <summary>Empties <paramref name="lists"/> and keeps them for another transaction (or lets them go when enough are kept).</summary>
    public static void Return(EntryList[] lists)
    {
        if (Interlocked.Increment(ref _pooled) > Retained)
        {
            Interlocked.Decrement(ref _pooled);
            return;
        }

        foreach (var list in lists)
        {
            list.Reset(KeepEntries);
        }

        Pool.Enqueue(lists);
    }
}

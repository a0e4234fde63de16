using System.Text;
using System.Text.Unicode;

namespace EnvoyGovern.Protos.Compat;

/// <summary>
/// Header names as strings, shared: Envoy sends the same twenty-odd names on every exchange, and a new string per
/// name per exchange was a third of what reading the headers allocated. A fixed table of 512 slots: a name may sit in
/// either of two slots (two hashes), so that two usual names seldom evict each other on every exchange; a miss (a new
/// or too long name, or both slots taken) decodes the name as before and puts it in the first slot or, when that is
/// taken, the second, so the table follows the names a deployment actually sends and never grows.
/// </summary>
internal static class HeaderNames
{
    private const int MaxCachedLength = 64;
    private static readonly Entry?[] Slots = new Entry?[512];

    /// <summary>
    /// The UTF-8 <paramref name="utf8"/> as a string, from the table when it holds it; null when it is not UTF-8 (what
    /// is in the table is).
    /// </summary>
    public static string? Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        if (utf8.Length > MaxCachedLength)
        {
            return Utf8.IsValid(utf8) ? Encoding.UTF8.GetString(utf8) : null;
        }

        var hash = Hash(utf8);
        var first = (int)(hash & 0x1ff);
        var second = (int)((hash >> 16) & 0x1ff);
        // One reference read per slot: an entry is immutable, so a slot replaced meanwhile is either the old pair or the new one.
        var atFirst = Slots[first];
        if (atFirst is not null && utf8.SequenceEqual(atFirst.Utf8))
        {
            return atFirst.Text;
        }

        if (Slots[second] is { } atSecond && utf8.SequenceEqual(atSecond.Utf8))
        {
            return atSecond.Text;
        }

        if (!Utf8.IsValid(utf8))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(utf8);
        Slots[atFirst is null ? first : second] = new Entry(utf8.ToArray(), text);
        return text;
    }

    // Length, the first, a middle and the last byte, mixed: a name's hash without a loop over it (the usual names differ
    // in these); its low and high bits give the two slots.
    private static uint Hash(ReadOnlySpan<byte> utf8)
    {
        var hash = ((uint)utf8.Length << 24) ^ ((uint)utf8[0] << 16) ^ ((uint)utf8[utf8.Length / 2] << 8) ^ utf8[^1];
        hash *= 0x9E3779B1u;
        return hash ^ (hash >> 15);
    }

    private sealed record Entry(byte[] Utf8, string Text);
}

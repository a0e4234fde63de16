using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace EnvoyGovern.ExtProc.Pii;

/// <summary>A pattern from policy, compiled to run without backtracking.</summary>
/// <param name="Name">The entity name (snake_case).</param>
/// <param name="Regex">The compiled pattern.</param>
/// <param name="MaxLength">The longest match, in characters: how much a streamed text holds back for it.</param>
public sealed record CustomPiiPattern(string Name, Regex Regex, int MaxLength);

/// <summary>
/// Finds personal data in UTF-8 text by hand-written scanners, not regular expressions: a vectorized
/// search jumps to the bytes an entity can contain (<c>@</c>, <c>:</c>, digits) and a small scanner
/// decides each candidate, so text without candidates costs little more than the search, and no input
/// can make a scanner backtrack. Checksums cut false positives: Luhn for cards, mod-97 for IBANs.
/// </summary>
/// <remarks>
/// Scanning a text that is still growing (a streamed answer) reports only what later bytes cannot
/// change, and where the undecided tail starts (<see cref="Scan"/>'s result): a candidate touching the
/// end, or a word that an <c>@</c> could still turn into an email address.
/// </remarks>
public sealed partial class PiiScanner
{
    private static readonly SearchValues<byte> Triggers = SearchValues.Create("0123456789@:"u8);
    private static readonly Comparer<PiiMatch> ByStart = Comparer<PiiMatch>.Create(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.End.CompareTo(a.End));

    private readonly bool[] _enabled = new bool[(int)PiiEntity.Custom + 1];
    private readonly CustomPiiPattern[] _patterns;

    /// <summary>Creates a scanner for <paramref name="entities"/> and the custom <paramref name="patterns"/>.</summary>
    public PiiScanner(IEnumerable<PiiEntity> entities, IReadOnlyList<CustomPiiPattern>? patterns = null)
    {
        ArgumentNullException.ThrowIfNull(entities);
        foreach (var entity in entities)
        {
            _enabled[(int)entity] = true;
        }

        _patterns = patterns?.ToArray() ?? [];
    }

    /// <summary>The custom patterns, by <see cref="PiiMatch.Pattern"/> index.</summary>
    public IReadOnlyList<CustomPiiPattern> Patterns => _patterns;

    /// <summary>
    /// Adds the entities of <paramref name="text"/> to <paramref name="matches"/> in order, without overlaps.
    /// With <paramref name="final"/> false the text may still grow: the result is the offset from which
    /// the text is undecided (nothing reported reaches past it); with true it is the text's length.
    /// </summary>
    public int Scan(ReadOnlySpan<byte> text, List<PiiMatch> matches, bool final)
    {
        ArgumentNullException.ThrowIfNull(matches);
        var first = matches.Count;
        var pending = text.Length;
        var i = 0;
        var floor = 0;
        while (i < text.Length)
        {
            var k = text[i..].IndexOfAny(Triggers);
            if (k < 0)
            {
                break;
            }

            var p = i + k;
            var before = matches.Count;
            var next = text[p] switch
            {
                (byte)'@' => Email(text, p, floor, final, matches, ref pending),
                (byte)':' => Ipv6(text, p, floor, final, matches, ref pending),
                _ => Numeric(text, p, final, matches, ref pending),
            };
            if (matches.Count > before)
            {
                floor = matches[^1].End;
            }

            i = Math.Max(next, p + 1);
        }

        if (!final && _enabled[(int)PiiEntity.Email])
        {
            // A trailing word may become an email address's local part when the text goes on with '@'
            // (at most 64 characters of it), an IBAN's country code, an IPv6 address's first group; a
            // trailing '+' or '(' may begin a phone number.
            var start = text.Length;
            while (start > floor && text.Length - start < 64 && (Ascii.IsLocal(text[start - 1]) || text[start - 1] == '('))
            {
                start--;
            }

            pending = Math.Min(pending, start);
        }

        if (_patterns.Length > 0)
        {
            pending = Math.Min(pending, ScanPatterns(text, matches, final));
        }

        Settle(matches, first, pending, sort: _patterns.Length > 0);
        return pending;
    }

    // Orders what was found (the scanners find in order; patterns run after them), drops overlaps (the
    // earlier, then the longer wins) and anything reaching into the undecided tail.
    private static void Settle(List<PiiMatch> matches, int first, int pending, bool sort)
    {
        if (sort && matches.Count - first > 1)
        {
            matches.Sort(first, matches.Count - first, ByStart);
        }

        var write = first;
        var end = -1;
        for (var read = first; read < matches.Count; read++)
        {
            var match = matches[read];
            if (match.Start < end || match.End > pending)
            {
                continue;
            }

            matches[write++] = match;
            end = match.End;
        }

        matches.RemoveRange(write, matches.Count - write);
    }

    // RFC 5321's common form: local part of [A-Za-z0-9._%+-] (at most 64), a domain of at least two
    // labels ending in a letters-only top-level label. Returns where scanning goes on.
    private int Email(ReadOnlySpan<byte> text, int at, int floor, bool final, List<PiiMatch> matches, ref int pending)
    {
        if (!_enabled[(int)PiiEntity.Email])
        {
            return at + 1;
        }

        var start = at;
        while (start > floor && at - start < 64 && Ascii.IsLocal(text[start - 1]))
        {
            start--;
        }

        if (start > floor && Ascii.IsLocal(text[start - 1]))
        {
            // Longer than 64: not an address's local part.
            return at + 1;
        }

        while (start < at && text[start] == '.')
        {
            start++;
        }

        if (start == at || text[at - 1] == '.')
        {
            return at + 1;
        }

        var d = at + 1;
        var labels = 0;
        int tld = d, tldEnd = d;
        while (true)
        {
            var label = d;
            while (d < text.Length && Ascii.IsLabel(text[d]) && d - label < 63)
            {
                d++;
            }

            if (d == label)
            {
                break;
            }

            labels++;
            (tld, tldEnd) = (label, d);
            if (d - at > 254)
            {
                // Longer than any domain: not an address (and a growing text need not wait for it).
                return d;
            }

            if (d + 1 < text.Length && text[d] == '.' && Ascii.IsLabel(text[d + 1]))
            {
                d++;
                continue;
            }

            break;
        }

        if (!final && (d == text.Length || (d == text.Length - 1 && text[d] == '.')))
        {
            pending = Math.Min(pending, start);
            return text.Length;
        }

        if (labels < 2 || tldEnd - tld < 2 || !AllLetters(text[tld..tldEnd]) || (d < text.Length && (Ascii.IsLabel(text[d]) || text[d] is (byte)'@' or (byte)'_')))
        {
            return d;
        }

        matches.Add(new PiiMatch(start, tldEnd, PiiEntity.Email));
        return tldEnd;
    }

    // IPv6 candidates around a colon: hex digits, colons and (for an embedded IPv4 tail) dots, at least
    // two colons, parsed by the framework.
    private int Ipv6(ReadOnlySpan<byte> text, int colon, int floor, bool final, List<PiiMatch> matches, ref int pending)
    {
        if (!_enabled[(int)PiiEntity.IpAddress])
        {
            return colon + 1;
        }

        var start = colon;
        while (start > floor && colon - start < 45 && (Ascii.IsHex(text[start - 1]) || text[start - 1] == ':'))
        {
            start--;
        }

        var end = colon;
        while (end < text.Length && end - start < 46 && (Ascii.IsHex(text[end]) || text[end] is (byte)':' or (byte)'.'))
        {
            end++;
        }

        if (!final && end == text.Length)
        {
            pending = Math.Min(pending, start);
            return end;
        }

        while (end > colon + 1 && text[end - 1] == '.')
        {
            end--;
        }

        var candidate = text[start..end];
        if ((start > 0 && !Ascii.IsBoundary(text[start - 1])) || (end < text.Length && !Ascii.IsBoundary(text[end]))
            || candidate.Count((byte)':') < 2 || candidate.Length > 45 || !HasHexDigit(candidate))
        {
            // Not an address: what follows the colon may still be something else (a number).
            return colon + 1;
        }

        Span<char> chars = stackalloc char[candidate.Length];
        Encoding.ASCII.GetChars(candidate, chars);
        if (!IPAddress.TryParse(chars, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return colon + 1;
        }

        matches.Add(new PiiMatch(start, end, PiiEntity.IpAddress));
        return end;
    }

    private int ScanPatterns(ReadOnlySpan<byte> text, List<PiiMatch> matches, bool final)
    {
        var value = Encoding.UTF8.GetString(text);
        var pending = text.Length;
        for (var index = 0; index < _patterns.Length; index++)
        {
            var pattern = _patterns[index];
            foreach (var match in pattern.Regex.EnumerateMatches(value))
            {
                if (match.Length == 0)
                {
                    continue;
                }

                var start = Encoding.UTF8.GetByteCount(value.AsSpan(0, match.Index));
                var end = start + Encoding.UTF8.GetByteCount(value.AsSpan(match.Index, match.Length));
                matches.Add(new PiiMatch(start, end, PiiEntity.Custom, index));
            }

            if (!final)
            {
                var held = Math.Max(0, value.Length - pattern.MaxLength);
                pending = Math.Min(pending, Encoding.UTF8.GetByteCount(value.AsSpan(0, held)));
            }
        }

        return pending;
    }

    private static bool AllLetters(ReadOnlySpan<byte> span)
    {
        foreach (var b in span)
        {
            if (!Ascii.IsAlnum(b) || Ascii.IsDigit(b))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasHexDigit(ReadOnlySpan<byte> span)
    {
        foreach (var b in span)
        {
            if (Ascii.IsHex(b))
            {
                return true;
            }
        }

        return false;
    }
}

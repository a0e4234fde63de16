using System.Numerics;

namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>
/// Which ASCII chars a value contains, as 128 bits (<see cref="Lo"/>: chars 0-63, <see cref="Hi"/>: 64-127).
/// A value with any non-ASCII char counts as containing every ASCII char (see <see cref="All"/>): ignoring case,
/// .NET regexes equate some non-ASCII chars with ASCII letters, and the gates below stay sound without having
/// to know which. Bit 0 (NUL) is always set, so a computed mask is never zero; the gates never ask for NUL.
/// </summary>
internal readonly record struct CharMask(ulong Lo, ulong Hi)
{
    public static readonly CharMask All = new(ulong.MaxValue, ulong.MaxValue);

    // A-Z are bits 1-26 of Hi, a-z bits 33-58.
    private const ulong UpperBits = 0x07FF_FFFEUL;

    public bool IsNone => Lo == 0 && Hi == 0;

    /// <summary>The mask of <paramref name="value"/>.</summary>
    public static CharMask Of(ReadOnlySpan<char> value)
    {
        // The non-ASCII test vectorized first, then no branch per char: ordinary text alternates letters (Hi) and
        // spaces or punctuation (Lo), which a per-char branch on the half mispredicts at every word.
        if (!System.Text.Ascii.IsValid(value))
        {
            return All;
        }

        ulong lo = 1;
        ulong hi = 0;
        foreach (var c in value)
        {
            // A ulong shift count is taken modulo 64; upper is 1 for chars 64-127, else 0.
            var bit = 1UL << c;
            var upper = (ulong)(c >> 6);
            lo |= bit & (upper - 1);
            hi |= bit & (0 - upper);
        }

        return new CharMask(lo, hi);
    }

    /// <summary>Upper-case ASCII letters also counted as their lower-case forms.</summary>
    public CharMask FoldCase() => new(Lo, Hi | ((Hi & UpperBits) << 32));

    /// <summary>Lower-case ASCII letters only (upper-case ones moved), for a literal compared ignoring case.</summary>
    public CharMask LowerCase() => new(Lo, (Hi & ~UpperBits) | ((Hi & UpperBits) << 32));

    public int Count => BitOperations.PopCount(Lo) + BitOperations.PopCount(Hi);

    public bool IsSubsetOf(CharMask other) => (Lo & ~other.Lo) == 0 && (Hi & ~other.Hi) == 0;

    public bool Overlaps(CharMask other) => (Lo & other.Lo) != 0 || (Hi & other.Hi) != 0;

    public CharMask Union(CharMask other) => new(Lo | other.Lo, Hi | other.Hi);

    /// <summary>The chars of the mask for diagnostics (NUL left out, control chars as <c>\xNN</c>).</summary>
    public string Describe()
    {
        var mask = this;
        return string.Concat(Enumerable.Range(1, 127).Where(c => mask.Overlaps(Single((char)c))).Select(c => c < 32 ? $"\\x{c:x2}" : ((char)c).ToString()));
    }

    /// <summary>The mask of one ASCII char.</summary>
    public static CharMask Single(char c) => c < 64 ? new(1UL << c, 0) : new(0, 1UL << (c - 64));
}

/// <summary>
/// A necessary condition cheaper than a search: an operator that can only match a value containing one of a
/// few strings (an <c>@rx</c> prefilter's literals, <c>@pm</c>'s phrases) cannot match a value whose
/// <see cref="CharMask"/> lacks a char of each. Per string the gate keeps a set of its ASCII chars (NUL and
/// non-ASCII chars left out); a set that contains another is dropped (the smaller one is met whenever the larger
/// is). Sets of one char become one "any of these chars" test; when more than <see cref="MaxSets"/> larger sets
/// remain, a char that many of them hold (punctuation before letters, digits and space, which ordinary text is
/// full of) replaces each set that holds it. Every step only asks for fewer chars than a string holds, so when
/// the gate rejects a value none of the strings can occur in it: it rejects only values the search rejects too,
/// at the cost of a few bit operations instead of a search per rule and value.
/// </summary>
internal sealed class CharGate
{
    /// <summary>Most sets of two or more chars a gate tests; beyond that, chars replace sets.</summary>
    public const int MaxSets = 12;

    private readonly CharMask _anyOf;
    private readonly CharMask[] _sets;
    private readonly bool _ignoreCase;

    // Further gates a value must pass too (see With).
    private readonly CharGate[] _also;

    private CharGate(CharMask anyOf, CharMask[] sets, bool ignoreCase, CharGate[]? also = null)
    {
        _anyOf = anyOf;
        _sets = sets;
        _ignoreCase = ignoreCase;
        _also = also ?? [];
    }

    /// <summary>Gates that this one's value must pass as well (each a necessary condition of its own).</summary>
    public IReadOnlyList<CharGate> Also => _also;

    /// <summary>
    /// The gate that passes a value only when this one and each of <paramref name="others"/> do: sound when each is
    /// a necessary condition of the same operator.
    /// </summary>
    public CharGate With(IEnumerable<CharGate> others) => new(_anyOf, _sets, _ignoreCase, [.. _also, .. others]);

    /// <summary>The chars any one of which lets a value through.</summary>
    public CharMask AnyOf => _anyOf;

    /// <summary>The char sets any one of which, all present, lets a value through.</summary>
    public IReadOnlyList<CharMask> Sets => _sets;

    /// <summary>
    /// The gate for an operator that needs one of <paramref name="strings"/> (compared ignoring ASCII case when
    /// <paramref name="ignoreCase"/>), or null when it could reject nothing (no strings, or one without ASCII chars).
    /// </summary>
    public static CharGate? For(IEnumerable<string> strings, bool ignoreCase)
    {
        var masks = new List<CharMask>();
        foreach (var s in strings)
        {
            var mask = LiteralMask(s, ignoreCase);
            if (mask.IsNone)
            {
                return null;
            }

            masks.Add(mask);
        }

        if (masks.Count == 0)
        {
            return null;
        }

        var anyOf = default(CharMask);
        var sets = new List<CharMask>();
        foreach (var set in masks.Distinct().OrderBy(s => s.Count))
        {
            if (set.Count == 1)
            {
                anyOf = anyOf.Union(set);
            }
            else if (!set.Overlaps(anyOf) && !sets.Exists(kept => kept.IsSubsetOf(set)))
            {
                sets.Add(set);
            }
        }

        while (sets.Count > MaxSets)
        {
            var c = CommonestChar(sets);
            anyOf = anyOf.Union(c);
            sets.RemoveAll(set => set.Overlaps(c));
        }

        return new CharGate(anyOf, [.. sets], ignoreCase);
    }

    /// <summary>False only when no string of the gate can occur in a value with this mask.</summary>
    public bool MayMatch(CharMask value)
    {
        foreach (var also in _also)
        {
            if (!also.MayMatch(value))
            {
                return false;
            }
        }

        if (_ignoreCase)
        {
            value = value.FoldCase();
        }

        if (_anyOf.Overlaps(value))
        {
            return true;
        }

        foreach (var set in _sets)
        {
            if (set.IsSubsetOf(value))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() =>
        (_ignoreCase ? "(?i)" : string.Empty) + "[" + _anyOf.Describe() + "] " + string.Join(" | ", _sets.Select(s => s.Describe()))
        + string.Concat(_also.Select(also => " & " + also));

    // The ASCII chars of a literal, NUL left out (value masks always claim it). A literal compared exactly that holds a
    // non-ASCII char occurs only in a value with one, whose mask is All: it asks for every char (941310's \xbc and \xbe,
    // which ordinary ASCII text never holds). Ignoring case, .NET equates some non-ASCII chars with ASCII letters
    // (the Kelvin sign with k): there a non-ASCII char asks for nothing.
    private static CharMask LiteralMask(string literal, bool ignoreCase)
    {
        var mask = default(CharMask);
        foreach (var c in literal)
        {
            if (c >= (char)128 && !ignoreCase)
            {
                return CharMask.All;
            }

            if (c is > '\0' and < (char)128)
            {
                mask = mask.Union(CharMask.Single(c));
            }
        }

        return ignoreCase ? mask.LowerCase() : mask;
    }

    // The char in most sets, counting letters, digits and space a quarter: benign values hold those anyway.
    private static CharMask CommonestChar(List<CharMask> sets)
    {
        var (best, bestScore) = ('\0', -1);
        for (var c = '\x01'; c < (char)128; c++)
        {
            var single = CharMask.Single(c);
            var score = sets.Count(set => set.Overlaps(single)) * (char.IsAsciiLetterOrDigit(c) || c == ' ' ? 1 : 4);
            if (score > bestScore)
            {
                (best, bestScore) = (c, score);
            }
        }

        return CharMask.Single(best);
    }
}

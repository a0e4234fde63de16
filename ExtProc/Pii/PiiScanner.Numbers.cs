namespace EnvoyGovern.ExtProc.Pii;

/// <summary>Numbers: a run of digit groups with separators, classified as IPv4, SSN, card or phone.</summary>
public sealed partial class PiiScanner
{
    private const int MaxGroups = 12;

    // A run is digit groups joined by single separators (space, '-', '.'), with an optional leading '+'
    // and parentheses around a group. Every sub-run of whole groups is tried, longest first, so a number
    // that follows another (a year, a count) is still found.
    private int Numeric(ReadOnlySpan<byte> text, int p, bool final, List<PiiMatch> matches, ref int pending)
    {
        if (_enabled[(int)PiiEntity.Iban] && p >= 2 && Ascii.IsUpper(text[p - 2]) && Ascii.IsUpper(text[p - 1])
            && (p == 2 || Ascii.IsBoundary(text[p - 3])))
        {
            var end = Iban(text, p - 2, final, matches, ref pending);
            if (end >= 0)
            {
                return end;
            }
        }

        if (!(_enabled[(int)PiiEntity.Phone] || _enabled[(int)PiiEntity.CreditCard] || _enabled[(int)PiiEntity.UsSsn] || _enabled[(int)PiiEntity.IpAddress]))
        {
            return SkipWord(text, p);
        }

        var start = p;
        var plus = p > 0 && text[p - 1] == '+';
        var open = p > 0 && text[p - 1] == '(';
        if (plus || open)
        {
            start--;
        }

        if (start > 0 && !Ascii.IsBoundary(text[start - 1]))
        {
            return SkipWord(text, p);
        }

        Span<Group> groups = stackalloc Group[MaxGroups];
        var count = 0;
        var pos = p;
        byte separator = 0;
        var undecided = false;
        while (true)
        {
            var groupStart = pos;
            while (pos < text.Length && Ascii.IsDigit(text[pos]))
            {
                pos++;
            }

            if (count == MaxGroups || pos - start > 64)
            {
                // Too long for any entity: a table of numbers, not one number.
                return SkipRun(text, pos);
            }

            var closed = open && pos < text.Length && text[pos] == ')';
            groups[count++] = new Group(groupStart, pos, separator, closed);
            if (closed)
            {
                pos++;
            }

            open = false;
            if (pos >= text.Length)
            {
                undecided = !final;
                break;
            }

            var c = text[pos];
            if (closed && Ascii.IsDigit(c))
            {
                separator = (byte)')';
                continue;
            }

            if (c is not ((byte)' ' or (byte)'-' or (byte)'.'))
            {
                break;
            }

            if (pos + 1 < text.Length && Ascii.IsDigit(text[pos + 1]))
            {
                separator = c;
                pos++;
                continue;
            }

            if (c == ' ' && pos + 2 < text.Length && text[pos + 1] == '(' && Ascii.IsDigit(text[pos + 2]))
            {
                separator = c;
                pos += 2;
                open = true;
                continue;
            }

            undecided = !final && (pos + 1 == text.Length || (c == ' ' && pos + 2 == text.Length && text[pos + 1] == '('));
            break;
        }

        if (undecided)
        {
            pending = Math.Min(pending, start);
            return text.Length;
        }

        if (pos < text.Length && (!Ascii.IsBoundary(text[pos]) || text[pos] == '@'))
        {
            return SkipWord(text, pos);
        }

        var run = groups[..count];
        if (count < 4 && pos - start < 9)
        {
            // Fewer than four groups and under nine characters: too short for any entity (a count, a year).
            return pos;
        }

        for (var a = 0; a < run.Length; a++)
        {
            for (var b = run.Length - 1; b >= a; b--)
            {
                if (Classify(text, run[a..(b + 1)], plus && a == 0) is { } entity)
                {
                    var matchStart = a == 0 && (plus || run[0].Paren) ? start : run[a].Start - (run[a].Paren ? 1 : 0);
                    matches.Add(new PiiMatch(matchStart, run[b].End + (run[b].Paren ? 1 : 0), entity));
                    a = b;
                    break;
                }
            }
        }

        return pos;
    }

    private PiiEntity? Classify(ReadOnlySpan<byte> text, ReadOnlySpan<Group> groups, bool plus)
    {
        var digits = 0;
        var parens = 0;
        foreach (var group in groups)
        {
            digits += group.Length;
            parens += group.Paren ? 1 : 0;
        }

        if (!plus && parens == 0)
        {
            if (groups.Length == 4 && _enabled[(int)PiiEntity.IpAddress] && IsIpv4(text, groups))
            {
                return PiiEntity.IpAddress;
            }

            if (groups.Length == 3 && _enabled[(int)PiiEntity.UsSsn] && IsSsn(text, groups))
            {
                return PiiEntity.UsSsn;
            }

            if (digits is >= 13 and <= 19 && _enabled[(int)PiiEntity.CreditCard] && IsCard(text, groups))
            {
                return PiiEntity.CreditCard;
            }
        }

        return _enabled[(int)PiiEntity.Phone] && parens <= 1 && IsPhone(text, groups, digits, plus) ? PiiEntity.Phone : null;
    }

    private static bool IsIpv4(ReadOnlySpan<byte> text, ReadOnlySpan<Group> groups)
    {
        for (var i = 0; i < groups.Length; i++)
        {
            var group = groups[i];
            if ((i > 0 && group.Separator != '.') || group.Length is < 1 or > 3 || Value(text, group) > 255)
            {
                return false;
            }
        }

        return true;
    }

    // 123-45-6789: area not 000, 666 or 9xx; group not 00; serial not 0000 (never issued).
    private static bool IsSsn(ReadOnlySpan<byte> text, ReadOnlySpan<Group> groups)
    {
        if (groups[0].Length != 3 || groups[1].Length != 2 || groups[2].Length != 4
            || groups[1].Separator != groups[2].Separator || groups[1].Separator is not ((byte)'-' or (byte)' '))
        {
            return false;
        }

        var area = Value(text, groups[0]);
        return area is not (0 or 666) && area < 900 && Value(text, groups[1]) != 0 && Value(text, groups[2]) != 0;
    }

    // 13 to 19 digits from a card network (first digit 2 to 6), grouped the same way throughout, Luhn-valid.
    private static bool IsCard(ReadOnlySpan<byte> text, ReadOnlySpan<Group> groups)
    {
        if (text[groups[0].Start] is < (byte)'2' or > (byte)'6')
        {
            return false;
        }

        for (var i = 1; i < groups.Length; i++)
        {
            if (groups[i].Separator != groups[1].Separator || groups[i].Separator is not ((byte)' ' or (byte)'-') || groups[i].Length < 3 || groups[0].Length < 4)
            {
                return false;
            }
        }

        var sum = 0;
        var doubled = false;
        for (var g = groups.Length - 1; g >= 0; g--)
        {
            for (var i = groups[g].End - 1; i >= groups[g].Start; i--)
            {
                var d = text[i] - '0';
                if (doubled)
                {
                    d = d * 2 > 9 ? (d * 2) - 9 : d * 2;
                }

                sum += d;
                doubled = !doubled;
            }
        }

        return sum % 10 == 0;
    }

    // +CC... (E.164: 8 to 15 digits); 00CC... (10 to 15); North American 3-3-4 or 1-3-3-4 (area and
    // exchange 2 to 9, separated or the area in parentheses); national with a trunk 0 (10 or 11 digits,
    // in groups of at least two). A bare run of digits is not taken for a phone number.
    private static bool IsPhone(ReadOnlySpan<byte> text, ReadOnlySpan<Group> groups, int digits, bool plus)
    {
        // Dots with other separators, or more groups after a number written solid, are two things side by side.
        var dots = false;
        var others = false;
        for (var i = 1; i < groups.Length; i++)
        {
            dots |= groups[i].Separator == '.';
            others |= groups[i].Separator != '.';
        }

        if ((dots && others) || (groups.Length > 1 && groups[0].Length >= 8))
        {
            return false;
        }

        if (plus)
        {
            return digits is >= 8 and <= 15 && (groups.Length > 1 || digits >= 10);
        }

        var first = text[groups[0].Start];
        if (groups.Length >= 2 && groups[0].Length >= 2 && first == '0' && text[groups[0].Start + 1] == '0')
        {
            return digits is >= 10 and <= 15;
        }

        var nanp = groups.Length == 4 && groups[0].Length == 1 && first == '1' ? groups[1..] : groups;
        if (nanp.Length == 3 && nanp[0].Length == 3 && nanp[1].Length == 3 && nanp[2].Length == 4
            && text[nanp[0].Start] >= '2' && text[nanp[1].Start] >= '2'
            && (nanp[0].Paren || nanp[1].Separator == nanp[2].Separator || nanp[1].Separator == ')'))
        {
            return true;
        }

        if (first != '0' || digits is < 10 or > 11 || groups.Length < 2 || groups[0].Paren)
        {
            return false;
        }

        foreach (var group in groups)
        {
            if (group.Length < 2 || (group.Separator != 0 && group.Separator is not ((byte)' ' or (byte)'-')))
            {
                return false;
            }
        }

        return true;
    }

    private static int Value(ReadOnlySpan<byte> text, Group group)
    {
        var value = 0;
        for (var i = group.Start; i < group.End && value < 100_000; i++)
        {
            value = (value * 10) + (text[i] - '0');
        }

        return value;
    }

    private static int SkipWord(ReadOnlySpan<byte> text, int pos)
    {
        while (pos < text.Length && Ascii.IsAlnum(text[pos]))
        {
            pos++;
        }

        return pos;
    }

    private static int SkipRun(ReadOnlySpan<byte> text, int pos)
    {
        while (pos < text.Length && (Ascii.IsDigit(text[pos]) || text[pos] is (byte)' ' or (byte)'-' or (byte)'.'))
        {
            pos++;
        }

        return pos;
    }

    /// <summary>A group of digits in a run; <see cref="Separator"/> is what precedes it (0 for the first).</summary>
    private readonly record struct Group(int Start, int End, byte Separator, bool Paren)
    {
        public int Length => End - Start;
    }
}

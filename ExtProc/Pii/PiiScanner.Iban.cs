using System.Collections.Frozen;

namespace EnvoyGovern.ExtProc.Pii;

/// <summary>IBANs: country code, check digits, the country's length, mod-97 (ISO 13616).</summary>
public sealed partial class PiiScanner
{
    // IBAN lengths by country (code and length), from the SWIFT IBAN registry.
    private const string Registry =
        "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 "
        + "DK18 DO28 EE20 EG29 ES24 FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 "
        + "IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 MC27 MD24 "
        + "ME22 MK19 MR27 MT31 MU30 NL18 NO15 PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 SC31 "
        + "SE24 SI19 SK24 SM27 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20";

    private static readonly FrozenDictionary<int, int> IbanLengths = Registry.Split(' ')
        .ToFrozenDictionary(e => (e[0] << 8) | e[1], e => int.Parse(e.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The IBAN starting at <paramref name="start"/> (its country code): where scanning goes on, or -1 when it is not shaped like one.</summary>
    private static int Iban(ReadOnlySpan<byte> text, int start, bool final, List<PiiMatch> matches, ref int pending)
    {
        if (!IbanLengths.TryGetValue((text[start] << 8) | text[start + 1], out var expected))
        {
            return -1;
        }

        Span<byte> iban = stackalloc byte[34];
        var count = 0;
        var pos = start;
        while (count < expected)
        {
            if (pos >= text.Length)
            {
                if (final)
                {
                    return -1;
                }

                pending = Math.Min(pending, start);
                return text.Length;
            }

            var b = text[pos];
            if (Ascii.IsDigit(b) || Ascii.IsUpper(b))
            {
                iban[count++] = b;
                pos++;
            }
            else if (b == ' ' && count % 4 == 0 && pos + 1 < text.Length && (Ascii.IsDigit(text[pos + 1]) || Ascii.IsUpper(text[pos + 1])))
            {
                // Printed IBANs come in groups of four.
                pos++;
            }
            else if (b == ' ' && count % 4 == 0 && pos + 1 == text.Length && !final)
            {
                pending = Math.Min(pending, start);
                return text.Length;
            }
            else
            {
                return -1;
            }
        }

        if (!Ascii.IsDigit(iban[2]) || !Ascii.IsDigit(iban[3]) || (pos < text.Length && Ascii.IsAlnum(text[pos])))
        {
            return -1;
        }

        if (!Mod97(iban[..count]))
        {
            // Shaped like an IBAN with a wrong checksum (a typo, or made up): none, and its digit
            // groups are not read again as some other number.
            return pos;
        }

        matches.Add(new PiiMatch(start, pos, PiiEntity.Iban));
        return pos;
    }

    // The country code and check digits move to the end, letters count as 10 to 35; valid is remainder 1.
    private static bool Mod97(ReadOnlySpan<byte> iban)
    {
        var remainder = 0;
        for (var i = 0; i < iban.Length; i++)
        {
            var b = iban[(i + 4) % iban.Length];
            remainder = Ascii.IsDigit(b)
                ? ((remainder * 10) + (b - '0')) % 97
                : ((remainder * 100) + (b - 'A' + 10)) % 97;
        }

        return remainder == 1;
    }
}

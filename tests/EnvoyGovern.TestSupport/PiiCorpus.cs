using System.Globalization;
using System.Text;

namespace EnvoyGovern.TestSupport;

/// <summary>An entity in a labelled text: its kind (<c>email</c>, <c>phone</c>, <c>credit_card</c>, <c>iban</c>, <c>us_ssn</c>, <c>ip_address</c>) and character span.</summary>
public sealed record LabelledSpan(string Entity, int Start, int End);

/// <summary>A synthetic prompt or answer with every personal data entity in it labelled.</summary>
public sealed record LabelledText(string Text, IReadOnlyList<LabelledSpan> Spans);

/// <summary>
/// A labelled corpus generated from a seed: prompts and answers as users and models write them, with
/// entities in the formats the scanners claim (several notations each, valid checksums) and look-alikes
/// that are not entities (dates, versions, amounts, order numbers, cards failing Luhn, IBANs failing
/// mod-97, reserved SSNs, out-of-range addresses), which measure precision.
/// </summary>
public static class PiiCorpus
{
    private static readonly string[] First = ["jane", "john", "maria", "wei", "olu", "anna", "lukas", "sofia", "ahmed", "chloé", "jürgen", "priya"];
    private static readonly string[] Last = ["doe", "smith", "garcia", "chen", "adeyemi", "novak", "muller", "rossi", "haddad", "martin", "schmidt", "patel"];
    private static readonly string[] Domains = ["example.com", "mail.example.org", "corp.example.co.uk", "EXAMPLE.NET", "uni.example.edu", "example.io"];

    private static readonly (string Country, string Bban)[] IbanShapes =
    [
        ("DE", "nnnnnnnnnnnnnnnnnn"), ("GB", "aaaannnnnnnnnnnnnn"), ("FR", "nnnnnnnnnnnnnnnnnnnnnnn"), ("NL", "aaaannnnnnnnnn"),
        ("ES", "nnnnnnnnnnnnnnnnnnnn"), ("IT", "annnnnnnnnnnnnnnnnnnnnn"), ("CH", "nnnnnnnnnnnnnnnnn"), ("BE", "nnnnnnnnnnnn"),
        ("AT", "nnnnnnnnnnnnnnnn"), ("PL", "nnnnnnnnnnnnnnnnnnnnnnnn"), ("SE", "nnnnnnnnnnnnnnnnnnnn"), ("NO", "nnnnnnnnnnn"),
    ];

    private static readonly string[] Openers =
    [
        "Hi, I need help with my account.", "Please summarise the following customer note.", "Draft a polite reply to this message:",
        "Here is the ticket text:", "Translate into French:", "Can you check this for errors?", "Résumé de la demande du client :",
        "Sure! Here is the updated record.", "I have extracted the contact details below.", "Bitte fasse zusammen:",
    ];

    private static readonly string[] Closers =
    [
        "Thanks in advance.", "Let me know if anything is unclear.", "Is there anything else you need?", "Best regards.",
        "I hope this helps 🙂.", "Danke!", "The meeting is on 2024-03-15 at 10:30.", "Order #48213 ships in 3-5 days.",
    ];

    /// <summary>The corpus: <paramref name="documents"/> texts from <paramref name="seed"/>.</summary>
    public static IReadOnlyList<LabelledText> Generate(int documents = 1200, int seed = 20261126)
    {
        var random = new Random(seed);
        var corpus = new List<LabelledText>(documents);
        for (var d = 0; d < documents; d++)
        {
            var text = new StringBuilder();
            var spans = new List<LabelledSpan>();
            text.Append(Pick(random, Openers)).Append(' ');
            var sentences = random.Next(2, 6);
            for (var s = 0; s < sentences; s++)
            {
                Sentence(random, text, spans);
                text.Append(' ');
            }

            text.Append(Pick(random, Closers));
            corpus.Add(new LabelledText(text.ToString(), spans));
        }

        return corpus;
    }

    private static void Sentence(Random random, StringBuilder text, List<LabelledSpan> spans)
    {
        var name = Name(random);
        switch (random.Next(10))
        {
            case 0:
                text.Append(name).Append(" can be reached at ");
                Entity(text, spans, "email", Email(random));
                text.Append(" or on ");
                Entity(text, spans, "phone", Phone(random));
                text.Append('.');
                break;
            case 1:
                text.Append("Please charge the card ");
                Entity(text, spans, "credit_card", Card(random));
                text.Append(" for the ").Append(Distractor(random)).Append(" invoice.");
                break;
            case 2:
                text.Append("Refunds go to IBAN ");
                Entity(text, spans, "iban", Iban(random));
                text.Append(", account holder ").Append(name).Append('.');
                break;
            case 3:
                text.Append(name).Append("'s SSN is ");
                Entity(text, spans, "us_ssn", Ssn(random));
                text.Append(" (verified).");
                break;
            case 4:
                text.Append("The login came from ");
                Entity(text, spans, "ip_address", Ip(random));
                text.Append(", build ").Append(Distractor(random)).Append('.');
                break;
            case 5:
                text.Append("Contact: ").Append(name).Append(" <");
                Entity(text, spans, "email", Email(random));
                text.Append(">, mobile ");
                Entity(text, spans, "phone", Phone(random));
                break;
            case 6:
                text.Append("Reference ").Append(Distractor(random)).Append(" and ").Append(Distractor(random)).Append(" are not personal data.");
                break;
            case 7:
                text.Append("Send the receipt to ");
                Entity(text, spans, "email", Email(random));
                text.Append(" and wire to ");
                Entity(text, spans, "iban", Iban(random));
                text.Append(" today.");
                break;
            case 8:
                text.Append("{\"customer\":\"").Append(name).Append("\",\"card\":\"");
                Entity(text, spans, "credit_card", Card(random));
                text.Append("\",\"ssn\":\"");
                Entity(text, spans, "us_ssn", Ssn(random));
                text.Append("\"}");
                break;
            default:
                text.Append("Server ");
                Entity(text, spans, "ip_address", Ip(random));
                text.Append(" answered ").Append(Distractor(random)).Append("; call ");
                Entity(text, spans, "phone", Phone(random));
                text.Append(" if it fails.");
                break;
        }
    }

    private static void Entity(StringBuilder text, List<LabelledSpan> spans, string entity, string value)
    {
        spans.Add(new LabelledSpan(entity, text.Length, text.Length + value.Length));
        text.Append(value);
    }

    private static string Name(Random random) => $"{Cap(Pick(random, First))} {Cap(Pick(random, Last))}";

    private static string Email(Random random)
    {
        var first = Ascii(Pick(random, First));
        var last = Ascii(Pick(random, Last));
        var local = random.Next(5) switch
        {
            0 => $"{first}.{last}",
            1 => $"{first}{last}{random.Next(10, 99)}",
            2 => $"{first[0]}_{last}+ai",
            3 => $"{Cap(first)}.{Cap(last)}",
            _ => $"{first}-{last}",
        };
        return $"{local}@{Pick(random, Domains)}";
    }

    private static string Phone(Random random)
    {
        string N(int digits) => string.Concat(Enumerable.Range(0, digits).Select(_ => (char)('0' + random.Next(10))));
        var area = $"{random.Next(2, 10)}{N(2)}";
        var exchange = $"{random.Next(2, 10)}{N(2)}";
        return random.Next(12) switch
        {
            0 => $"+1 {area} {exchange} {N(4)}",
            11 => $"+1 ({area}) {exchange}-{N(4)}",
            1 => $"({area}) {exchange}-{N(4)}",
            2 => $"{area}-{exchange}-{N(4)}",
            3 => $"{area}.{exchange}.{N(4)}",
            4 => $"+44 20 {N(4)} {N(4)}",
            5 => $"+49 30 {N(7)}",
            6 => $"0044 20 {N(4)} {N(4)}",
            7 => $"020 {N(4)} {N(4)}",
            8 => $"+33 1 {N(2)} {N(2)} {N(2)} {N(2)}",
            9 => $"+1{area}{exchange}{N(4)}",
            _ => $"1-800-{exchange}-{N(4)}",
        };
    }

    private static string Card(Random random)
    {
        var (prefix, length) = random.Next(4) switch
        {
            0 => ("4", 16),
            1 => ($"5{random.Next(1, 6)}", 16),
            2 => (random.Next(2) == 0 ? "34" : "37", 15),
            _ => ("6011", 16),
        };
        var digits = Luhn(prefix, length, random);
        return random.Next(3) switch
        {
            0 => digits,
            1 when length == 15 => $"{digits[..4]} {digits[4..10]} {digits[10..]}",
            1 => string.Join(' ', Enumerable.Range(0, 4).Select(i => digits.Substring(i * 4, 4))),
            _ when length == 15 => $"{digits[..4]}-{digits[4..10]}-{digits[10..]}",
            _ => string.Join('-', Enumerable.Range(0, 4).Select(i => digits.Substring(i * 4, 4))),
        };
    }

    private static string Luhn(string prefix, int length, Random random)
    {
        var digits = new StringBuilder(prefix);
        while (digits.Length < length - 1)
        {
            digits.Append((char)('0' + random.Next(10)));
        }

        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            sum += i % 2 == 0 ? (d * 2 > 9 ? (d * 2) - 9 : d * 2) : d;
        }

        return digits.Append((char)('0' + ((10 - (sum % 10)) % 10))).ToString();
    }

    private static string Iban(Random random)
    {
        var (country, shape) = IbanShapes[random.Next(IbanShapes.Length)];
        var bban = string.Concat(shape.Select(c => c == 'a' ? (char)('A' + random.Next(26)) : (char)('0' + random.Next(10))));
        var check = 98 - Mod97(bban + country + "00");
        var iban = $"{country}{check:D2}{bban}";
        return random.Next(2) == 0 ? iban : string.Join(' ', iban.Chunk(4).Select(c => new string(c)));
    }

    private static int Mod97(string text)
    {
        var remainder = 0;
        foreach (var c in text)
        {
            remainder = char.IsDigit(c) ? ((remainder * 10) + (c - '0')) % 97 : ((remainder * 100) + (c - 'A' + 10)) % 97;
        }

        return remainder;
    }

    private static string Ssn(Random random)
    {
        var area = random.Next(1, 900);
        if (area == 666)
        {
            area = 667;
        }

        var separator = random.Next(4) == 0 ? ' ' : '-';
        return $"{area:D3}{separator}{random.Next(1, 100):D2}{separator}{random.Next(1, 10000):D4}";
    }

    private static string Ip(Random random)
    {
        if (random.Next(3) > 0)
        {
            return $"{random.Next(1, 256)}.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}";
        }

        var groups = Enumerable.Range(0, 8).Select(_ => random.Next(0x10000).ToString("x", CultureInfo.InvariantCulture)).ToArray();
        return random.Next(3) switch
        {
            0 => string.Join(':', groups),
            1 => $"fe80::{groups[5]}:{groups[6]}:{groups[7]}",
            _ => $"2001:db8:{groups[2]}::{groups[7]}",
        };
    }

    // Numbers that look like entities but are not.
    private static string Distractor(Random random) => random.Next(14) switch
    {
        0 => $"2024-{random.Next(1, 13):D2}-{random.Next(1, 29):D2}",
        1 => $"v{random.Next(1, 9)}.{random.Next(20)}.{random.Next(20)}",
        2 => $"${random.Next(1, 9)},{random.Next(100, 999)}.{random.Next(10, 99)}",
        3 => $"#{random.Next(10000, 99999)}",
        4 => "4111 1111 1111 1112",
        5 => "DE89 3704 0044 0532 0130 01",
        6 => $"000-{random.Next(10, 99)}-{random.Next(1000, 9999)}",
        7 => $"{random.Next(256, 999)}.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}",
        8 => $"{random.Next(10, 23)}:{random.Next(10, 59)}:{random.Next(10, 59)}",
        9 => $"ISBN 978-{random.Next(1, 9)}-{random.Next(10, 99)}-{random.Next(100000, 999999)}-{random.Next(10)}",
        10 => $"{random.Next(100000000, 999999999)}",
        11 => $"10.0.{random.Next(10000, 20000)}.{random.Next(1000, 3000)}",
        12 => $"{random.Next(1, 99)}.{random.Next(1, 99)}%",
        _ => $"PO-{random.Next(1000, 9999)}-{random.Next(100, 999)}",
    };

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    private static string Cap(string value) => char.ToUpperInvariant(value[0]) + value[1..];

    private static string Ascii(string value) => value.Replace("é", "e", StringComparison.Ordinal).Replace("ü", "u", StringComparison.Ordinal);
}

using System.Text;
using System.Text.RegularExpressions;
using EnvoyGovern.ExtProc.Pii;

namespace EnvoyGovern.Tests.Pii;

public sealed class PiiScannerTests
{
    private static readonly PiiScanner All = new(PiiEntities.BuiltIn);

    private static List<(PiiEntity Entity, string Text)> Find(string text, PiiScanner? scanner = null)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var matches = new List<PiiMatch>();
        (scanner ?? All).Scan(bytes, matches, final: true);
        return matches.Select(m => (m.Entity, Encoding.UTF8.GetString(bytes, m.Start, m.Length))).ToList();
    }

    [Theory]
    [InlineData("write to jane.doe+ai@mail.example.co.uk today", PiiEntity.Email, "jane.doe+ai@mail.example.co.uk")]
    [InlineData("(bob_42@example.com)", PiiEntity.Email, "bob_42@example.com")]
    [InlineData("Mail: A.B@EXAMPLE.ORG.", PiiEntity.Email, "A.B@EXAMPLE.ORG")]
    [InlineData("call +1 415 555 0100 now", PiiEntity.Phone, "+1 415 555 0100")]
    [InlineData("call +14155550100", PiiEntity.Phone, "+14155550100")]
    [InlineData("call (415) 555-0100.", PiiEntity.Phone, "(415) 555-0100")]
    [InlineData("call 415.555.0100", PiiEntity.Phone, "415.555.0100")]
    [InlineData("call 1-800-555-0199", PiiEntity.Phone, "1-800-555-0199")]
    [InlineData("ring +44 20 7946 0958", PiiEntity.Phone, "+44 20 7946 0958")]
    [InlineData("ring 0044 20 7946 0958", PiiEntity.Phone, "0044 20 7946 0958")]
    [InlineData("ring 020 7946 0958", PiiEntity.Phone, "020 7946 0958")]
    [InlineData("card 4111 1111 1111 1111 exp", PiiEntity.CreditCard, "4111 1111 1111 1111")]
    [InlineData("card 5500-0000-0000-0004", PiiEntity.CreditCard, "5500-0000-0000-0004")]
    [InlineData("amex 3782 822463 10005", PiiEntity.CreditCard, "3782 822463 10005")]
    [InlineData("card:4012888888881881", PiiEntity.CreditCard, "4012888888881881")]
    [InlineData("in 2024 4111 1111 1111 1111", PiiEntity.CreditCard, "4111 1111 1111 1111")]
    [InlineData("iban DE89 3704 0044 0532 0130 00 ok", PiiEntity.Iban, "DE89 3704 0044 0532 0130 00")]
    [InlineData("iban GB29NWBK60161331926819.", PiiEntity.Iban, "GB29NWBK60161331926819")]
    [InlineData("ssn 123-45-6789", PiiEntity.UsSsn, "123-45-6789")]
    [InlineData("ssn 078 05 1120", PiiEntity.UsSsn, "078 05 1120")]
    [InlineData("from 192.168.10.254:8080", PiiEntity.IpAddress, "192.168.10.254")]
    [InlineData("v6 2001:db8:85a3::8a2e:370:7334 end", PiiEntity.IpAddress, "2001:db8:85a3::8a2e:370:7334")]
    [InlineData("v6 fe80::1ff:fe23:4567:890a.", PiiEntity.IpAddress, "fe80::1ff:fe23:4567:890a")]
    public void Scan_Entity_FoundWithItsExactSpan(string text, PiiEntity entity, string expected) =>
        Assert.Equal([(entity, expected)], Find(text));

    [Theory]
    [InlineData("the meeting is 2024-01-15 at 10:30")]
    [InlineData("order 4111 1111 1111 1112 (bad Luhn)")]
    [InlineData("pi is 3.14159 and e is 2.71828")]
    [InlineData("version 1.2.3 of x86_64 build 20240115")]
    [InlineData("ssn 000-12-3456 and 666-12-3456 and 900-12-3456 are never issued")]
    [InlineData("iban DE89 3704 0044 0532 0130 01 (bad checksum)")]
    [InlineData("not an ip: 256.1.1.1 or 1.2.3")]
    [InlineData("user@localhost and @handle and a@b")]
    [InlineData("std::vector and a::b::c in C++, time 12:30:45")]
    [InlineData("id 4155550100 without separators")]
    [InlineData("x123-45-6789 and 415-555-0100abc")]
    public void Scan_LookAlike_FindsNothing(string text) => Assert.Empty(Find(text));

    [Fact]
    public void Scan_SeveralEntities_InOrderWithoutOverlap()
    {
        var found = Find("Jane (jane@example.com, +1 415 555 0100) paid with 4111-1111-1111-1111 from 10.0.0.1");

        Assert.Equal(
            [(PiiEntity.Email, "jane@example.com"), (PiiEntity.Phone, "+1 415 555 0100"), (PiiEntity.CreditCard, "4111-1111-1111-1111"), (PiiEntity.IpAddress, "10.0.0.1")],
            found);
    }

    [Fact]
    public void Scan_DisabledEntity_NotReported()
    {
        var scanner = new PiiScanner([PiiEntity.Email]);

        Assert.Equal([(PiiEntity.Email, "a@example.com")], Find("a@example.com 4111 1111 1111 1111 10.0.0.1", scanner));
    }

    [Fact]
    public void Scan_CustomPattern_FoundWithItsIndex()
    {
        var scanner = new PiiScanner(PiiEntities.BuiltIn, [new CustomPiiPattern("employee_id", new Regex("EMP-[0-9]{6}", RegexOptions.NonBacktracking), 10)]);
        var matches = new List<PiiMatch>();

        scanner.Scan("badge EMP-123456 of a@example.com"u8, matches, final: true);

        Assert.Equal([new PiiMatch(6, 16, PiiEntity.Custom, 0), new PiiMatch(20, 33, PiiEntity.Email)], matches);
    }

    [Theory]
    [InlineData("write to jane.doe", 9)]
    [InlineData("write to jane@exam", 9)]
    [InlineData("write to jane@example.", 9)]
    [InlineData("call +1 415 555", 5)]
    [InlineData("call +1 415 555 ", 5)]
    [InlineData("iban DE89 3704", 5)]
    [InlineData("done. ", 6)]
    public void Scan_GrowingText_ReportsWhereItIsUndecided(string text, int undecided)
    {
        var matches = new List<PiiMatch>();

        var pending = All.Scan(Encoding.UTF8.GetBytes(text), matches, final: false);

        Assert.Equal(undecided, pending);
        Assert.Empty(matches);
    }

    [Fact]
    public void Scan_GrowingTextWithADecidedEntity_ReportsIt()
    {
        var matches = new List<PiiMatch>();

        var pending = All.Scan("mail a@example.com or call +1 415"u8, matches, final: false);

        Assert.Equal([new PiiMatch(5, 18, PiiEntity.Email)], matches);
        Assert.Equal(27, pending);
    }

    [Fact]
    public void Scan_PathologicalInput_Linear()
    {
        // Long runs of the characters candidates are made of: each byte is looked at a bounded number of times.
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("1-", 200_000)) + new string('a', 100_000) + "@" + string.Concat(Enumerable.Repeat("b.", 100_000)));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        All.Scan(text, [], final: true);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), watch.Elapsed.ToString());
    }
}

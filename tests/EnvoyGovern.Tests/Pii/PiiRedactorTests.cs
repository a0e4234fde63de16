using System.Text;
using System.Text.Json;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.ExtProc.Pii;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.Tests.Pii;

public sealed class PiiRedactorTests
{
    private readonly InspectionContext _context = new("x1", DateTimeOffset.UnixEpoch);

    private PiiFindings Findings(PiiAction action = PiiAction.Redact, HttpDirection direction = HttpDirection.Request, Dictionary<string, PiiAction>? entities = null) =>
        new(_context, direction, new PiiSettings(new PiiSpec { Action = action, Entities = entities ?? [] }));

    private static string Utf8(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Encoding.UTF8.GetString(b.Span) : "<unchanged>";

    [Fact]
    public void RedactJson_EntitiesInStrings_MaskedInPlaceRestUnchanged()
    {
        var json = """{"model":"gpt-4o", "messages":[{"role":"user","content":"I am jane@example.com, card 4111 1111 1111 1111"}],"n":1}""";

        var redacted = Utf8(JsonPiiRedactor.Redact(Encoding.UTF8.GetBytes(json), Findings()));

        Assert.Equal("""{"model":"gpt-4o", "messages":[{"role":"user","content":"I am [EMAIL], card [CREDIT_CARD]"}],"n":1}""", redacted);
        var findings = _context.Findings;
        Assert.Equal(["pii.email", "pii.credit_card"], findings.Select(f => f.RuleId));
        Assert.All(findings, f => Assert.Equal("/messages/0/content", f.Location));
        Assert.Equal("offset=5 length=16", findings[0].Data);
    }

    [Fact]
    public void RedactJson_EscapedEntityAndCardAsNumber_FoundAndWrittenAsValidJson()
    {
        var json = """{"a":"mail jane\u0040example.com\n\"quoted\"","card":4012888888881881}""";

        var redacted = Utf8(JsonPiiRedactor.Redact(Encoding.UTF8.GetBytes(json), Findings()));

        using var document = JsonDocument.Parse(redacted);
        Assert.Equal("mail [EMAIL]\n\"quoted\"", document.RootElement.GetProperty("a").GetString());
        Assert.Equal("[CREDIT_CARD]", document.RootElement.GetProperty("card").GetString());
    }

    [Fact]
    public void RedactJson_RecordOnly_UnchangedButReported()
    {
        var findings = Findings(PiiAction.Record);

        var redacted = JsonPiiRedactor.Redact("""{"q":"call +1 415 555 0100"}"""u8, findings);

        Assert.Null(redacted);
        Assert.False(findings.Blocked);
        Assert.Equal("phone recorded", Assert.Single(_context.Findings).Message);
    }

    [Fact]
    public void RedactJson_BlockedEntity_MarksBlockedOthersStillRedacted()
    {
        var findings = Findings(entities: new() { ["usSsn"] = PiiAction.Block });

        JsonPiiRedactor.Redact("""{"q":"ssn 123-45-6789, mail a@example.com"}"""u8, findings);

        Assert.True(findings.Blocked);
        Assert.Equal("pii.us_ssn", findings.BlockedRule);
    }

    [Fact]
    public void RedactJson_TooDeep_ThrowsTooDeep()
    {
        var json = Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000));

        Assert.Throws<JsonTooDeepException>(() => JsonPiiRedactor.Redact(json, Findings()));
    }

    [Fact]
    public void RedactForm_EncodedEntity_DecodedScannedAndEncodedAgain()
    {
        var redacted = Utf8(PlainPiiRedactor.RedactForm("name=Jane+Doe&email=jane%40example.com&phone=%2B1+415+555+0100&x"u8, Findings()));

        Assert.Equal("name=Jane+Doe&email=%5BEMAIL%5D&phone=%5BPHONE%5D&x", redacted);
        Assert.Equal("form:email", _context.Findings[0].Location);
    }

    [Fact]
    public void RedactText_Entities_Masked()
    {
        var redacted = Utf8(PlainPiiRedactor.RedactText("IBAN GB29 NWBK 6016 1331 9268 19 from 10.1.2.3"u8, Findings()));

        Assert.Equal("IBAN [IBAN] from [IP_ADDRESS]", redacted);
    }

    [Fact]
    public void Findings_NeverCarryTheValue()
    {
        JsonPiiRedactor.Redact("""{"q":"jane.doe@example.com 4111111111111111 DE89370400440532013000 123-45-6789 +14155550100 10.9.8.7"}"""u8, Findings());

        Assert.Equal(6, _context.Findings.Count);
        var text = JsonSerializer.Serialize(_context.Findings);
        foreach (var secret in new[] { "jane", "4111", "DE89", "6789", "4155550100", "10.9.8.7" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Findings_ManyEntities_FirstFiftyThenACount()
    {
        var text = string.Join(" ", Enumerable.Range(0, 120).Select(i => $"user{i}@example.com"));
        var findings = Findings();

        PlainPiiRedactor.RedactText(Encoding.UTF8.GetBytes(text), findings);
        findings.Flush();

        Assert.Equal(51, _context.Findings.Count);
        var last = _context.Findings[^1];
        Assert.Equal("pii.more", last.RuleId);
        Assert.Equal(70, last.Score);
    }
}

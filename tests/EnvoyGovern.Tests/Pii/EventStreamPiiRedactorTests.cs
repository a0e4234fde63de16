using System.Text;
using System.Text.Json;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.ExtProc.Pii;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.Tests.Pii;

public sealed class EventStreamPiiRedactorTests
{
    private readonly InspectionContext _context = new("x1", DateTimeOffset.UnixEpoch);

    private EventStreamPiiRedactor Redactor(PiiAction action = PiiAction.Redact) =>
        new(new PiiFindings(_context, HttpDirection.Response, new PiiSettings(new PiiSpec { Action = action })), 1024 * 1024);

    public static string Delta(string content) =>
        $"data: {{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":{JsonSerializer.Serialize(content)}}},\"finish_reason\":null}}]}}\n\n";

    // What goes on: the redactor's output, or the chunk itself when it says unchanged (null).
    private static string Push(EventStreamPiiRedactor redactor, string chunk, bool end = false) =>
        redactor.Push(Encoding.UTF8.GetBytes(chunk), end) is { } output ? Encoding.UTF8.GetString(output.Span) : chunk;

    private static List<string> Contents(string stream) =>
        [.. stream.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(e => e.StartsWith("data: {", StringComparison.Ordinal))
            .Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString()!)];

    [Fact]
    public void Push_NoEntity_ChunksPassUnchanged()
    {
        var redactor = Redactor();

        Assert.Null(redactor.Push(Encoding.UTF8.GetBytes(Delta("Hello ") + Delta("world. ")), end: false));
        Assert.Null(redactor.Push("data: [DONE]\n\n"u8.ToArray(), end: true));
    }

    [Fact]
    public void Push_EntitySplitAcrossEvents_HeldThenMaskedInTheFirst()
    {
        var redactor = Redactor();

        var first = Push(redactor, Delta("Write to jane.d"));
        var second = Push(redactor, Delta("oe@example.com today."));
        var third = Push(redactor, "data: [DONE]\n\n", end: true);

        // The second event waits too: its last word could still become an address.
        Assert.Equal(string.Empty, first);
        Assert.Equal(["Write to [EMAIL]"], Contents(second));
        Assert.Equal([" today."], Contents(third));
        Assert.EndsWith("data: [DONE]\n\n", third, StringComparison.Ordinal);
        var finding = Assert.Single(_context.Findings);
        Assert.Equal("sse:/choices/0/delta/content", finding.Location);
        Assert.Equal("offset=9 length=20", finding.Data);
    }

    [Fact]
    public void Push_EntitySplitAcrossChunksInsideOneEvent_EventWaitsForItsEnd()
    {
        var redactor = Redactor();
        var whole = Delta("card 4111 1111 1111 1111 ok");

        var first = Push(redactor, whole[..40]);
        var second = Push(redactor, whole[40..]);
        var end = Push(redactor, string.Empty, end: true);

        Assert.Equal(string.Empty, first);
        Assert.Equal(["card [CREDIT_CARD] ok"], Contents(second + end));
    }

    [Fact]
    public void Push_NumberSplitOverManyEvents_MaskedOnceRestEmptied()
    {
        var redactor = Redactor();

        var output = string.Concat(new[] { "Call +1 4", "15 55", "5 0100", " now" }.Select(t => Push(redactor, Delta(t))))
            + Push(redactor, "data: [DONE]\n\n", end: true);

        Assert.Equal(["Call [PHONE]", string.Empty, string.Empty, " now"], Contents(output));
    }

    [Fact]
    public void Push_OtherEventsAndFields_KeptInOrderAndFramed()
    {
        var redactor = Redactor();
        var input = ": keep-alive\n\nevent: message\nid: 7\ndata: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}],\"user\":\"bob@example.com\"}\n\n" + Delta("hi");

        var output = Push(redactor, input, end: true);

        Assert.Equal(": keep-alive\n\nevent: message\nid: 7\ndata: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}],\"user\":\"[EMAIL]\"}\n\n" + Delta("hi"), output);
    }

    [Fact]
    public void Push_PlainTextData_ScannedAsText()
    {
        var output = Push(Redactor(), "data: reach me at bob@example.com\r\n\r\n", end: true);

        Assert.Equal("data: reach me at [EMAIL]\n\n", output);
    }

    [Fact]
    public void Push_StreamEndsWithoutBlankLine_LastEventStillScanned()
    {
        var output = Push(Redactor(), "data: bob@example.com", end: true);

        Assert.Equal("data: [EMAIL]\n\n", output);
    }

    [Fact]
    public void Push_ThousandEventsWithEntities_EveryOneMaskedNoneLeaks()
    {
        var redactor = Redactor();
        var output = new StringBuilder();
        for (var i = 0; i < 1000; i++)
        {
            // Entities split at every possible place over the events.
            var text = $"user{i}@example.com is +1 415 555 {i % 10}{i % 10}{i % 10}{i % 10}. ";
            var cut = i % text.Length;
            output.Append(Push(redactor, Delta(text[..cut]))).Append(Push(redactor, Delta(text[cut..])));
        }

        output.Append(Push(redactor, "data: [DONE]\n\n", end: true));

        var all = string.Concat(Contents(output.ToString()));
        Assert.DoesNotContain("@example.com", all, StringComparison.Ordinal);
        Assert.DoesNotContain("415", all, StringComparison.Ordinal);
        Assert.Equal(1000, all.Split("[EMAIL]").Length - 1);
        Assert.Equal(1000, all.Split("[PHONE]").Length - 1);
    }
}

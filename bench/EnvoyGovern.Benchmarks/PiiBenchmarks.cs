using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.ExtProc.Pii;
using EnvoyGovern.Governance.Policy.Model;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// PII scan and redaction on one core: a 1 MB chat request (JSON; typical: prose with a text of the labelled
/// corpus in every tenth message; dense: corpus texts only, about five entities each) against a bare
/// <see cref="Utf8JsonReader"/> pass over the typical body; and a
/// streamed answer of 1,000 server-sent events (corpus text in pieces of 1 to 12 characters, entities
/// split across events) against finding the same events' boundaries.
/// </summary>
[MemoryDiagnoser]
public class PiiBenchmarks
{
    private static readonly PiiSettings Settings = new(new PiiSpec());

    // Prose with a labelled corpus text in every tenth message (about one entity per 2 KB), and only
    // corpus texts (an entity every 60 bytes or so: the worst case).
    private static readonly string[] Words = ("the a model answer question please summarise customer account service request data report "
        + "team meeting project update review policy security access network document draft reply note next week thanks").Split(' ');

    private byte[] _typical = null!;
    private byte[] _dense = null!;
    private byte[][] _events = null!;

    [GlobalSetup]
    public void Setup()
    {
        var corpus = PiiCorpus.Generate(4000);
        _dense = Chat(corpus, _ => true);
        _typical = Chat(corpus, i => i % 10 == 0);
        var random = new Random(3);
        var text = string.Concat(corpus.Take(60).Select(d => d.Text + " "));
        var events = new List<byte[]>();
        for (var at = 0; events.Count < 1000;)
        {
            var length = random.Next(1, 12);
            var piece = text.Substring(at % (text.Length - 16), length);
            at += length;
            events.Add(Encoding.UTF8.GetBytes($"data: {{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1732610000,\"model\":\"gpt-4o\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":{JsonSerializer.Serialize(piece)}}},\"finish_reason\":null}}]}}\n\n"));
        }

        _events = [.. events];
        if (RedactTypical() is not { Length: > 0 } || RedactDense() is not { Length: > 0 })
        {
            throw new InvalidOperationException("the benchmark bodies must contain entities to redact");
        }
    }

    [Benchmark(Baseline = true, Description = "1 MB JSON: Utf8JsonReader pass only (baseline)")]
    public int ReadJson()
    {
        var reader = new Utf8JsonReader(_typical);
        var strings = 0;
        while (reader.Read())
        {
            strings += reader.TokenType == JsonTokenType.String ? 1 : 0;
        }

        return strings;
    }

    [Benchmark(Description = "1 MB JSON, typical: scan and redact")]
    public ReadOnlyMemory<byte>? RedactTypical() => JsonPiiRedactor.Redact(_typical, Findings());

    [Benchmark(Description = "1 MB JSON, dense: scan and redact")]
    public ReadOnlyMemory<byte>? RedactDense() => JsonPiiRedactor.Redact(_dense, Findings());

    [Benchmark(Description = "1,000 SSE chunks: event boundaries only")]
    public int FrameEvents()
    {
        var events = 0;
        foreach (var chunk in _events)
        {
            events += chunk.AsSpan().IndexOf("\n\n"u8) >= 0 ? 1 : 0;
        }

        return events;
    }

    [Benchmark(Description = "1,000 SSE chunks: scan and redact, streamed")]
    public int RedactEvents()
    {
        var redactor = new EventStreamPiiRedactor(Findings(), 1 << 20);
        var forwarded = 0;
        for (var i = 0; i < _events.Length; i++)
        {
            forwarded += redactor.Push(_events[i], end: i == _events.Length - 1)?.Length ?? _events[i].Length;
        }

        return forwarded;
    }

    private static byte[] Chat(IReadOnlyList<LabelledText> corpus, Func<int, bool> fromCorpus)
    {
        var random = new Random(5);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", "gpt-4o");
            json.WriteStartArray("messages");
            for (var i = 0; buffer.Length + json.BytesPending < 1024 * 1024 - 4096; i++)
            {
                json.WriteStartObject();
                json.WriteString("role", i % 2 == 0 ? "user" : "assistant");
                json.WriteString("content", fromCorpus(i) ? corpus[i % corpus.Count].Text : Prose(random));
                json.WriteEndObject();
                json.Flush();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string Prose(Random random)
    {
        var text = new StringBuilder();
        var words = random.Next(30, 80);
        for (var w = 0; w < words; w++)
        {
            text.Append(Words[random.Next(Words.Length)]).Append(w % 12 == 11 ? ". " : w % 7 == 6 ? ", " : " ");
        }

        return text.ToString();
    }

    private static PiiFindings Findings() => new(new InspectionContext("bench", DateTimeOffset.UnixEpoch), HttpDirection.Request, Settings);
}

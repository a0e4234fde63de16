using System.Globalization;
using System.Text;
using System.Text.Json;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.ExtProc.Pii;
using EnvoyGovern.Governance.Policy.Model;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Pii;

/// <summary>
/// The scanners measured on the labelled corpus (<see cref="PiiCorpus"/>): per entity precision and recall,
/// a match counting only with its exact span and kind. Regenerate the bench/README.md table with
/// <c>ENVOYGOVERN_WRITE_PII_TABLE=1 dotnet test tests/EnvoyGovern.Tests --filter FullyQualifiedName~PiiCorpus</c>.
/// </summary>
public sealed class PiiCorpusTests
{
    private const double Required = 0.95;

    private static readonly IReadOnlyList<LabelledText> Corpus = PiiCorpus.Generate();

    [Fact]
    public void Scanner_Corpus_PrecisionAndRecallAtLeast95PerEntity()
    {
        var scanner = new PiiScanner(PiiEntities.BuiltIn);
        var counts = new SortedDictionary<string, (int Gold, int Found, int Correct)>(StringComparer.Ordinal);
        foreach (var document in Corpus)
        {
            var found = Found(scanner, document.Text);
            foreach (var span in document.Spans)
            {
                var c = counts.GetValueOrDefault(span.Entity);
                counts[span.Entity] = (c.Gold + 1, c.Found, c.Correct + (found.Contains(span) ? 1 : 0));
            }

            foreach (var span in found)
            {
                var c = counts.GetValueOrDefault(span.Entity);
                counts[span.Entity] = (c.Gold, c.Found + 1, c.Correct);
            }
        }

        var table = Table(counts);
        if (Environment.GetEnvironmentVariable("ENVOYGOVERN_WRITE_PII_TABLE") == "1")
        {
            BenchReadme.ReplaceSection("PII detection corpus", table, "PiiCorpusTests with ENVOYGOVERN_WRITE_PII_TABLE=1");
        }

        Assert.True(counts.Values.Sum(c => c.Gold) >= 2000, table);
        Assert.Equal(6, counts.Count);
        foreach (var (entity, c) in counts)
        {
            Assert.True((double)c.Correct / c.Found >= Required && (double)c.Correct / c.Gold >= Required, $"{entity} below {Required}\n{table}");
        }
    }

    [Fact]
    public void EventStream_CorpusStreamedInRandomPieces_SameMasksAsWholeTextAndNothingLeaks()
    {
        var random = new Random(7);
        var settings = new PiiSettings(new PiiSpec());
        foreach (var document in Corpus.Take(400))
        {
            var context = new InspectionContext("x", DateTimeOffset.UnixEpoch);
            var redactor = new EventStreamPiiRedactor(new PiiFindings(context, HttpDirection.Response, settings), 1 << 20);
            var output = new StringBuilder();
            var text = document.Text;
            for (var at = 0; at < text.Length;)
            {
                var length = Math.Min(random.Next(1, 12), text.Length - at);
                if (char.IsHighSurrogate(text[at + length - 1]))
                {
                    // A JSON string cannot carry half a character.
                    length++;
                }

                var piece = EventStreamPiiRedactorTests.Delta(text.Substring(at, length));
                at += length;
                output.Append(redactor.Push(Encoding.UTF8.GetBytes(piece), end: false) is { } o ? Encoding.UTF8.GetString(o.Span) : piece);
            }

            output.Append(redactor.Push("data: [DONE]\n\n"u8.ToArray(), end: true) is { } last ? Encoding.UTF8.GetString(last.Span) : "data: [DONE]\n\n");
            var streamed = string.Concat(output.ToString().Split("\n\n").Where(e => e.StartsWith("data: {", StringComparison.Ordinal))
                .Select(e => JsonDocument.Parse(e[6..]).RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString()));
            var whole = PlainPiiRedactor.RedactText(Encoding.UTF8.GetBytes(text), new PiiFindings(context, HttpDirection.Request, settings));

            Assert.Equal(whole is { } w ? Encoding.UTF8.GetString(w.Span) : text, streamed);
            foreach (var span in document.Spans)
            {
                Assert.DoesNotContain(text[span.Start..span.End], streamed, StringComparison.Ordinal);
            }
        }
    }

    private static HashSet<LabelledSpan> Found(PiiScanner scanner, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var matches = new List<PiiMatch>();
        scanner.Scan(bytes, matches, final: true);
        return [.. matches.Select(m => new LabelledSpan(
            PiiEntities.SnakeName(m.Entity),
            Encoding.UTF8.GetCharCount(bytes.AsSpan(0, m.Start)),
            Encoding.UTF8.GetCharCount(bytes.AsSpan(0, m.End))))];
    }

    private static string Table(SortedDictionary<string, (int Gold, int Found, int Correct)> counts)
    {
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"{Corpus.Count} texts, {counts.Values.Sum(c => c.Gold)} labelled entities (`PiiCorpus.Generate()`, seed 20261126).");
        table.AppendLine();
        table.AppendLine("| entity | labelled | found | correct | precision | recall |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (entity, c) in counts)
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"| {entity} | {c.Gold} | {c.Found} | {c.Correct} | {(double)c.Correct / c.Found:F3} | {(double)c.Correct / c.Gold:F3} |");
        }

        return table.ToString();
    }
}

using System.Globalization;
using System.Text.Json;

namespace EnvoyGovern.Governance.Audit.Delivery;

/// <summary>
/// Records a sink refused for good, one JSON object per line in <c>{QueueDirectory}/dead-letter.ndjson</c>, with the
/// reason and the record's bytes unchanged (so its hash chain still verifies). Each write is fsynced before the
/// queue moves past the records: a dead letter is the record's last durable home until an operator replays it.
/// </summary>
internal sealed class DeadLetterFile(string directory, TimeProvider timeProvider)
{
    private readonly string _path = Path.Combine(directory, "dead-letter.ndjson");

    public string FilePath => _path;

    public void Write(string sink, IReadOnlyList<AuditSinkFailure> failures)
    {
        using var buffer = new MemoryStream();
        foreach (var failure in failures)
        {
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("@timestamp", timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
                json.WriteString("sink", sink);
                json.WriteString("reason", failure.Reason);
                json.WriteString("event_id", failure.Entry.EventId);
                json.WriteString("stream", failure.Entry.Stream);
                json.WriteNumber("sequence", failure.Entry.Sequence);
                WriteRecord(json, failure.Entry.Utf8Json);
                json.WriteEndObject();
            }

            buffer.WriteByte((byte)'\n');
        }

        using var file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
        buffer.Position = 0;
        buffer.CopyTo(file);
        file.Flush(flushToDisk: true);
    }

    private static void WriteRecord(Utf8JsonWriter json, ReadOnlyMemory<byte> record)
    {
        try
        {
            // Validation of the raw value keeps the line parseable; the bytes themselves go in unchanged.
            var reader = new Utf8JsonReader(record.Span);
            var parsed = JsonDocument.TryParseValue(ref reader, out var document);
            document?.Dispose();
            if (parsed && reader.BytesConsumed == record.Length && record.Span.IndexOf((byte)'\n') < 0)
            {
                json.WritePropertyName("record");
                json.WriteRawValue(record.Span, skipInputValidation: true);
                return;
            }
        }
        catch (JsonException)
        {
            // Not JSON: kept as base64 below.
        }

        json.WriteBase64String("record_base64", record.Span);
    }
}

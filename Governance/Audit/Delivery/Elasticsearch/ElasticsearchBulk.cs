using System.Globalization;
using System.Net;
using System.Text.Json;

namespace EnvoyGovern.Governance.Audit.Delivery.Elasticsearch;

/// <summary>
/// The <c>_bulk</c> request and response of the Elasticsearch sink. Each record is a <c>create</c> into the data
/// stream with <c>_id</c> = event id, so a replayed record meets a 409 conflict instead of a second copy.
/// </summary>
internal static class ElasticsearchBulk
{
    /// <summary>The NDJSON body: an action line and the record's bytes, unchanged, per entry.</summary>
    public static byte[] Body(string dataStream, IReadOnlyList<AuditEntry> batch)
    {
        using var body = new MemoryStream(batch.Sum(e => e.Utf8Json.Length + 100));
        foreach (var entry in batch)
        {
            using (var action = new Utf8JsonWriter(body))
            {
                action.WriteStartObject();
                action.WriteStartObject("create");
                action.WriteString("_index", dataStream);
                action.WriteString("_id", entry.EventId);
                action.WriteEndObject();
                action.WriteEndObject();
            }

            body.WriteByte((byte)'\n');
            body.Write(entry.Utf8Json.Span);
            body.WriteByte((byte)'\n');
        }

        return body.ToArray();
    }

    /// <summary>
    /// The entries refused for good (4xx other than 409). Throws <see cref="HttpRequestException"/> when any item
    /// failed transiently (429, 5xx): the whole batch is retried, and the items already created answer 409 then.
    /// </summary>
    public static IReadOnlyList<AuditSinkFailure> Failures(ReadOnlySpan<byte> response, IReadOnlyList<AuditEntry> batch)
    {
        using var document = JsonDocument.Parse(response.ToArray());
        var root = document.RootElement;
        if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.False)
        {
            return [];
        }

        if (!root.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array || items.GetArrayLength() != batch.Count)
        {
            throw new HttpRequestException($"Elasticsearch bulk response does not list the {batch.Count} items sent.");
        }

        var failures = new List<AuditSinkFailure>();
        string? transient = null;
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            var result = item.TryGetProperty("create", out var create) ? create : default;
            var status = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("status", out var s) ? s.GetInt32() : 0;
            var entry = batch[index++];
            if (status is >= 200 and < 300 or (int)HttpStatusCode.Conflict)
            {
                continue;
            }

            var reason = Reason(status, result);
            if (status is 0 or (int)HttpStatusCode.TooManyRequests or >= 500)
            {
                transient ??= reason;
            }
            else
            {
                failures.Add(new AuditSinkFailure(entry, reason));
            }
        }

        return transient is null
            ? failures
            : throw new HttpRequestException($"Elasticsearch bulk: items failed transiently, first: {transient}");
    }

    private static string Reason(int status, JsonElement result)
    {
        if (result.ValueKind == JsonValueKind.Object && result.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            var type = error.TryGetProperty("type", out var t) ? t.GetString() : null;
            var reason = error.TryGetProperty("reason", out var r) ? r.GetString() : null;
            return string.Create(CultureInfo.InvariantCulture, $"{status} {type}: {reason}");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{status}");
    }
}

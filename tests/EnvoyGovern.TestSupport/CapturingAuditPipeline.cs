using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using EnvoyGovern.Governance.Audit;

namespace EnvoyGovern.TestSupport;

/// <summary>
/// The audit pipeline of in-process services in tests: keeps every record and checks it against the ECS field
/// list and the shipped index template as it arrives. <see cref="RunningService"/> fails the test at disposal if any
/// record did not conform.
/// </summary>
public sealed class CapturingAuditPipeline : IAuditPipeline
{
    private readonly ConcurrentQueue<AuditEntry> _entries = new();
    private readonly ConcurrentQueue<string> _problems = new();

    /// <summary>Every entry accepted, in the order written.</summary>
    public IReadOnlyList<AuditEntry> Entries => [.. _entries];

    /// <summary>Problems found so far, each naming the record.</summary>
    public IReadOnlyList<string> Problems => [.. _problems];

    /// <summary>The records as parsed JSON, in order.</summary>
    public IReadOnlyList<JsonElement> Records => [.. _entries.Select(e => JsonSerializer.Deserialize<JsonElement>(e.Utf8Json.Span))];

    /// <summary>The record with <c>event.id</c> <paramref name="eventId"/>, waiting briefly for background writes.</summary>
    public JsonElement ForEvent(string eventId) => Wait(r => Text(r, "event", "id") == eventId).Single();

    /// <summary>Records matching <paramref name="match"/>, waiting up to 5 s for at least one.</summary>
    public IReadOnlyList<JsonElement> Wait(Func<JsonElement, bool> match)
    {
        var until = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var found = Records.Where(match).ToArray();
            if (found.Length > 0 || DateTime.UtcNow > until)
            {
                return found;
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>A string at a nested path, or null.</summary>
    public static string? Text(JsonElement record, params string[] path)
    {
        var current = record;
        foreach (var name in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return null;
            }
        }

        return current.ValueKind == JsonValueKind.String ? current.GetString() : current.GetRawText();
    }

    /// <inheritdoc />
    public ValueTask<bool> WriteAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        IReadOnlyList<string> problems;
        try
        {
            problems = [.. EcsFieldList.Default.Validate(entry.Utf8Json.Span), .. IndexTemplateFields.Default.Validate(entry.Utf8Json.Span)];
        }
        catch (JsonException ex)
        {
            problems = [$"not JSON: {ex.Message}"];
        }

        foreach (var problem in problems)
        {
            _problems.Enqueue($"{entry.Stream}#{entry.Sequence} ({entry.EventId}): {problem}\n  {Encoding.UTF8.GetString(entry.Utf8Json.Span)}");
        }

        _entries.Enqueue(entry);
        return ValueTask.FromResult(true);
    }
}

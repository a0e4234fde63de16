using System.Text.Json;
using EnvoyGovern.Governance.Audit;
using EnvoyGovern.Governance.Audit.Recording;
using EnvoyGovern.Governance.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EnvoyGovern.Tests.Audit;

/// <summary>Recorders over test pipelines, key files, and records written to NDJSON files.</summary>
internal sealed class AuditTestKit : IDisposable
{
    public AuditTestKit()
    {
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "envoygovern-audit-" + Guid.NewGuid().ToString("N"));

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    /// <summary>A 32-byte key in a file, as a mounted Secret would hold it (with a trailing newline).</summary>
    public string KeyFile(string name = "checkpoint.key", byte fill = 7)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllBytes(path, [.. Enumerable.Repeat(fill, 32), (byte)'\n']);
        return path;
    }

    public AuditRecorder Recorder(IAuditPipeline pipeline, Action<AuditRecordingOptions>? configure = null)
    {
        var options = new AuditRecordingOptions();
        configure?.Invoke(options);
        return new AuditRecorder(GovernanceService.ExtAuthz, pipeline, Options.Create(options), Time, NullLogger<AuditRecorder>.Instance);
    }

    /// <summary>Writes <paramref name="count"/> simple records.</summary>
    public static async Task WriteAsync(AuditRecorder recorder, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var id = $"record-{i + 1}";
            await recorder.RecordAsync(id, id, static (w, id) =>
            {
                EcsFields.WriteEvent(w, new AuditEvent(id, "event", "test-action", "success") { Categories = ["web"], Types = ["info"] }, "test");
                w.WriteString("message", $"test record {id}");
            }, CancellationToken.None);
        }
    }

    public string Lines(IEnumerable<string> lines, string name = "audit.ndjson")
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    public static JsonElement Parse(AuditEntry entry) => JsonSerializer.Deserialize<JsonElement>(entry.Utf8Json.Span);

    public static string Field(AuditEntry entry, string name) => Parse(entry).GetProperty(name).ToString();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
    }
}

/// <summary>A pipeline whose answer the test scripts.</summary>
internal sealed class ScriptedAuditPipeline(Func<AuditEntry, ValueTask<bool>> write) : IAuditPipeline
{
    public List<AuditEntry> Accepted { get; } = [];

    public ValueTask<bool> WriteAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        var result = write(entry);
        Accepted.Add(entry);
        return result;
    }
}

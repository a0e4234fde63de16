using System.Globalization;
using System.Text;
using EnvoyGovern.Governance.Audit;
using EnvoyGovern.Governance.Audit.Delivery;
using EnvoyGovern.Governance.Audit.Delivery.Wal;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EnvoyGovern.Tests.Audit.Delivery;

/// <summary>Records, temporary directories and waiting helpers shared by the delivery tests.</summary>
internal static class DeliveryFixtures
{
    public static AuditEntry Entry(int i, int padding = 0) => new(
        Id(i),
        "extauthz",
        i + 1,
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$$"""{"@timestamp":"2026-11-26T10:00:00.000Z","event":{"id":"{{{Id(i)}}}","kind":"event","action":"authorize"},"envoygovern":{"decision":{"id":"d-{{{i}}}"},"pad":"{{{new string('x', padding)}}}"}}""")));

    public static string Id(int i) => string.Create(CultureInfo.InvariantCulture, $"evt-{i:D6}");

    public static AuditDeliveryOptions Options(string queueDirectory, Action<AuditDeliveryOptions>? change = null)
    {
        var options = new AuditDeliveryOptions
        {
            Sink = AuditSinkKind.File,
            QueueDirectory = queueDirectory,
            MaxQueueBytes = 4 * 1024 * 1024,
            SegmentBytes = 64 * 1024,
            BatchSize = 50,
            MaxBatchBytes = 64 * 1024,
            RetryBaseDelay = TimeSpan.FromMilliseconds(100),
            RetryMaxDelay = TimeSpan.FromSeconds(2),
            BlockBudget = TimeSpan.FromMilliseconds(50),
        };
        change?.Invoke(options);
        return options;
    }

    public static AuditWriteAheadLog OpenWal(AuditDeliveryOptions options, TimeProvider? time = null, List<string>? corrupt = null) =>
        new(WalSettings.From(options), time ?? new FakeTimeProvider(), detail => corrupt?.Add(detail));

    public static IOptions<AuditDeliveryOptions> Wrap(AuditDeliveryOptions options) => Microsoft.Extensions.Options.Options.Create(options);

    /// <summary>
    /// Waits (in real time, at most 20 s) for <paramref name="condition"/>, advancing <paramref name="time"/> by
    /// <paramref name="step"/> between looks so that backoff delays elapse.
    /// </summary>
    public static async Task EventuallyAsync(Func<bool> condition, FakeTimeProvider? time = null, TimeSpan? step = null, string? because = null)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, because ?? "condition not met within 20 s");
            time?.Advance(step ?? TimeSpan.FromMilliseconds(100));
            await Task.Delay(5);
        }
    }
}

/// <summary>A temporary directory removed on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("envoygovern-audit-").FullName;

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still be releasing a file; the OS cleans temp eventually.
        }
    }
}

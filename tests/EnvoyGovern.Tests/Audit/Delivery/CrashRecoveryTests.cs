using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using EnvoyGovern.Governance.Audit.Delivery;
using EnvoyGovern.Governance.Audit.Delivery.Wal;
using EnvoyGovern.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EnvoyGovern.Tests.Audit.Delivery;

/// <summary>
/// A real process writes audit records through the durable pipeline and is killed (SIGKILL) mid-stream; a new
/// life on the same queue directory then delivers. Every record the first life acknowledged must arrive, once.
/// </summary>
public sealed class CrashRecoveryTests
{
    private const int Count = 3000;

    [Theory]
    // Delivering to files while writing: killed with records in flight both to the queue and to the sink.
    [InlineData("File", Count / 2)]
    // The sink is down (nothing listens): every acknowledged record exists only in the queue when the process dies.
    [InlineData("Elasticsearch", Count)]
    public async Task Kill_MidStream_RestartDeliversEveryAcknowledgedRecordExactlyOnce(string firstLifeSink, int killAfterAcks)
    {
        using var dir = new TempDirectory();
        var settings = new Dictionary<string, string?>
        {
            ["Audit:QueueDirectory"] = dir.Sub("queue"),
            ["Audit:File:Directory"] = dir.Sub("files"),
            ["Audit:Elasticsearch:Url"] = "http://127.0.0.1:1",
            ["Audit:SegmentBytes"] = "65536",
            ["Audit:MaxRecordBytes"] = "16384",
            ["Audit:BatchSize"] = "64",
            ["Audit:RetryBaseDelay"] = "00:00:00.050",
            ["Audit:RetryMaxDelay"] = "00:00:00.500",
        };

        var acknowledged = await RunAndKillAsync(settings, firstLifeSink, killAfterAcks);
        Assert.True(acknowledged.Count >= killAfterAcks, $"only {acknowledged.Count} acknowledged before the kill");

        settings["Audit:Sink"] = "File";
        await DrainAsync(settings);

        var lines = Directory.GetFiles(dir.Sub("files"), "*.ndjson").SelectMany(File.ReadAllLines).ToList();
        var delivered = lines.Select(l => EcsEventId.TryRead(Encoding.UTF8.GetBytes(l), out var id) ? id : $"<unparsable: {l}>").ToList();
        Assert.Equal(delivered.Count, delivered.Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(acknowledged.Except(delivered, StringComparer.Ordinal));
        var attempted = Enumerable.Range(0, Count).Select(i => string.Create(CultureInfo.InvariantCulture, $"evt-{i:D6}")).ToHashSet();
        Assert.All(delivered, id => Assert.Contains(id, attempted));
        if (killAfterAcks == Count)
        {
            Assert.Equal(Count, delivered.Count);
        }
    }

    private static async Task<List<string>> RunAndKillAsync(Dictionary<string, string?> settings, string sink, int killAfterAcks)
    {
        var acks = new ConcurrentQueue<string>();
        var done = new TaskCompletionSource();
        var errors = new ConcurrentQueue<string>();
        using var process = Start(settings, sink, errors);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            if (e.Data.StartsWith("ack ", StringComparison.Ordinal))
            {
                acks.Enqueue(e.Data[4..]);
            }

            if (acks.Count >= killAfterAcks || e.Data == "done")
            {
                done.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        try
        {
            // A child that dies on its own (bad settings, a crash) ends the wait at once, with its stderr.
            await Task.WhenAny(done.Task, process.WaitForExitAsync()).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.False(process.HasExited, "the child exited on its own: " + string.Join('\n', errors));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            // Waits for the end of the output too: acknowledgements still in the pipe are counted.
            await process.WaitForExitAsync();
        }

        return [.. acks];
    }

    private static Process Start(Dictionary<string, string?> settings, string sink, ConcurrentQueue<string> errors)
    {
        var configuration = typeof(CrashRecoveryTests).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;
        var dll = Path.Combine(RepoPaths.Root, "tests", "EnvoyGovern.AuditCrashChild", "bin", configuration, "net10.0", "EnvoyGovern.AuditCrashChild.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing; build the tests first");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(Count.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add($"--Audit:Sink={sink}");
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null && errors.Count < 50)
            {
                errors.Enqueue(e.Data);
            }
        };
        process.BeginErrorReadLine();
        return process;
    }

    // The restart: the same registration the services use, on the same directories, until the queue is empty.
    private static async Task DrainAsync(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddAuditDelivery(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();
        var wal = host.Services.GetRequiredService<AuditWriteAheadLog>();
        await DeliveryFixtures.EventuallyAsync(() => wal.IsDrained, because: "the restarted queue did not drain");
        await host.StopAsync();
    }
}

using System.Text;
using BenchmarkDotNet.Attributes;
using EnvoyGovern.Governance.Audit;
using EnvoyGovern.Governance.Audit.Delivery;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// What the request path pays for a durable audit record: one <see cref="IAuditPipeline.WriteAsync"/> into the
/// write-ahead log (framing, CRC-32, lock, pwrite; fsync on the interval policy), with the delivery loop draining
/// to the file sink in the background as in production. Baseline: a bare pwrite of the same bytes.
/// </summary>
[MemoryDiagnoser]
public class AuditPipelineBenchmarks : IDisposable
{
    private const long Wrap = 64L * 1024 * 1024;

    private readonly byte[] _record = Encoding.UTF8.GetBytes(
        """{"@timestamp":"2026-11-26T10:00:00.000Z","event":{"id":"0193b5c2-7d4e-7a35-9f21-3c9c1d2e4f51","kind":"event","category":["web"],"type":["access"],"action":"authorize","outcome":"success"},"http":{"request":{"method":"POST"}},"url":{"path":"/v1/chat/completions"},"source":{"ip":"10.1.2.3"},"user":{"id":"acme"},"service":{"name":"extauthz"},"envoygovern":{"policy":{"version":"v42"},"decision":{"id":"d-1"},"audit":{"chain":{"stream":"extauthz","sequence":1,"hash":"7f1c0a9e5b3d2c4f6a8e0b1d3c5f7a9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a"}}}}""");

    private string _directory = null!;
    private IHost _host = null!;
    private IAuditPipeline _pipeline = null!;
    private SafeFileHandle _raw = null!;
    private long _rawOffset;
    private long _sequence;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("envoygovern-bench-audit-").FullName;
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Audit:Sink"] = "File",
            ["Audit:QueueDirectory"] = Path.Combine(_directory, "queue"),
            ["Audit:File:Directory"] = Path.Combine(_directory, "files"),
            ["Audit:File:RetainedFiles"] = "2",
            ["Audit:File:FsyncEachBatch"] = "false",
        });
        builder.Services.AddAuditDelivery(builder.Configuration);
        _host = builder.Build();
        _host.Start();
        _pipeline = _host.Services.GetRequiredService<IAuditPipeline>();
        _raw = File.OpenHandle(Path.Combine(_directory, "raw.bin"), FileMode.Create, FileAccess.Write);
    }

    [Benchmark(Baseline = true, Description = "pwrite of the record bytes")]
    public void RawWrite()
    {
        RandomAccess.Write(_raw, _record, _rawOffset);
        _rawOffset = (_rawOffset + _record.Length) % Wrap;
    }

    [Benchmark(Description = "IAuditPipeline.WriteAsync (write-ahead log)")]
    public bool PipelineWrite()
    {
        var sequence = ++_sequence;
        return _pipeline.WriteAsync(new AuditEntry("evt-" + sequence, "extauthz", sequence, _record), CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
        _raw.Dispose();
        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }
}

using System.Globalization;
using System.Text;
using EnvoyGovern.Governance.Audit;
using EnvoyGovern.Governance.Audit.Delivery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Usage: EnvoyGovern.AuditCrashChild <count> [--Audit:Key=value ...]
// Prints "ack <event id>" once WriteAsync said the record is durable, "done" after the last, then runs until stopped.
var count = int.Parse(args[0], CultureInfo.InvariantCulture);
var builder = Host.CreateApplicationBuilder(args[1..]);
builder.Logging.ClearProviders();
builder.Services.AddAuditDelivery(builder.Configuration);
using var host = builder.Build();
await host.StartAsync();
var pipeline = host.Services.GetRequiredService<IAuditPipeline>();
var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
for (var i = 0; i < count; i++)
{
    var id = string.Create(CultureInfo.InvariantCulture, $"evt-{i:D6}");
    var json = string.Create(CultureInfo.InvariantCulture,
        $$$"""{"@timestamp":"2026-11-26T10:00:00.000Z","event":{"id":"{{{id}}}","kind":"event"},"envoygovern":{"n":{{{i}}}}}""");
    if (await pipeline.WriteAsync(new AuditEntry(id, "crash", i + 1, Encoding.UTF8.GetBytes(json)), CancellationToken.None))
    {
        await stdout.WriteLineAsync("ack " + id);
    }
}

await stdout.WriteLineAsync("done");
// Until killed (the test uses SIGKILL); SIGTERM or Ctrl+C still end it cleanly.
await host.WaitForShutdownAsync();

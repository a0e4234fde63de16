using EnvoyGovern.Governance.Audit;
using EnvoyGovern.Governance.Audit.Delivery;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Tests.Audit.Delivery;

public sealed class AuditDeliveryRegistrationTests
{
    [Fact]
    public void AddAuditDelivery_SinkStdout_KeepsTheDefaultPipeline()
    {
        using var host = Build(new() { ["Audit:Sink"] = "Stdout" }, defaultFirst: true);

        Assert.IsType<StdoutStandIn>(host.Services.GetRequiredService<IAuditPipeline>());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AddAuditDelivery_SinkFile_ReplacesTheDefaultPipelineInEitherOrder(bool defaultFirst)
    {
        using var dir = new TempDirectory();
        using var host = Build(new()
        {
            ["Audit:Sink"] = "File",
            ["Audit:QueueDirectory"] = dir.Sub("queue"),
            ["Audit:File:Directory"] = dir.Sub("files"),
        }, defaultFirst);

        Assert.IsType<DurableAuditPipeline>(host.Services.GetRequiredService<IAuditPipeline>());
        Assert.Single(host.Services.GetServices<IAuditPipeline>());
    }

    [Theory]
    [InlineData("Elasticsearch", null, "Audit:Elasticsearch:Url")]
    [InlineData("Elasticsearch", "ftp://es:9200", "Audit:Elasticsearch:Url")]
    [InlineData("File", "http://unused", "twice Audit:SegmentBytes")]
    public async Task Start_InvalidSettings_FailsWithTheOffendingKey(string sink, string? url, string expected)
    {
        using var dir = new TempDirectory();
        using var host = Build(new()
        {
            ["Audit:Sink"] = sink,
            ["Audit:QueueDirectory"] = dir.Sub("queue"),
            ["Audit:File:Directory"] = dir.Sub("files"),
            ["Audit:Elasticsearch:Url"] = url,
            ["Audit:MaxQueueBytes"] = sink == "File" ? "1048576" : null,
            ["Audit:SegmentBytes"] = sink == "File" ? "1048576" : null,
        }, defaultFirst: true);

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_OutOfRangeSetting_FailsAtStart()
    {
        using var host = Build(new() { ["Audit:BatchSize"] = "0" }, defaultFirst: true);

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("BatchSize", e.Message, StringComparison.Ordinal);
    }

    private static IHost Build(Dictionary<string, string?> settings, bool defaultFirst)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings);
        // The default pipeline is registered with TryAdd, as the record producer does.
        if (defaultFirst)
        {
            builder.Services.TryAddSingleton<IAuditPipeline, StdoutStandIn>();
        }

        builder.Services.AddAuditDelivery(builder.Configuration);
        if (!defaultFirst)
        {
            builder.Services.TryAddSingleton<IAuditPipeline, StdoutStandIn>();
        }

        return builder.Build();
    }

    private sealed class StdoutStandIn : IAuditPipeline
    {
        public ValueTask<bool> WriteAsync(AuditEntry entry, CancellationToken cancellationToken) => ValueTask.FromResult(true);
    }
}

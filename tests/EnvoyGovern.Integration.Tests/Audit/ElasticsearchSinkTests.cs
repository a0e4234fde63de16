using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DotNet.Testcontainers.Builders;
using EnvoyGovern.Governance.Audit;
using EnvoyGovern.Governance.Audit.Delivery;
using EnvoyGovern.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EnvoyGovern.Integration.Tests.Audit;

/// <summary>The durable pipeline into a real single-node Elasticsearch, with our index template installed by the sink.</summary>
public sealed class ElasticsearchSinkTests
{
    private const string Image = "elasticsearch:9.1.0";
    private const string DataStream = "logs-envoygovern.audit-default";

    [DockerFact]
    public async Task Pipeline_RealElasticsearch_EveryRecordOnceWithTemplateMappingsAndRefusalsDeadLettered()
    {
        await using var es = new ContainerBuilder(Image)
            .WithEnvironment("discovery.type", "single-node")
            .WithEnvironment("xpack.security.enabled", "false")
            .WithEnvironment("ES_JAVA_OPTS", "-Xms512m -Xmx512m")
            .WithPortBinding(9200, assignRandomHostPort: true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPort(9200).ForPath("/_cluster/health?wait_for_status=yellow")))
            .Build();
        await es.StartAsync();
        var url = new Uri($"http://{es.Hostname}:{es.GetMappedPublicPort(9200)}");
        var queue = Directory.CreateTempSubdirectory("envoygovern-es-queue-").FullName;
        try
        {
            using var host = await StartHostAsync(url, queue);
            var pipeline = host.Services.GetRequiredService<IAuditPipeline>();
            for (var i = 0; i < 200; i++)
            {
                Assert.True(await pipeline.WriteAsync(Entry(i, "10.0.0.1"), CancellationToken.None));
            }

            // A replay of already-written ids (as after a crash before the commit) must not add copies.
            for (var i = 0; i < 20; i++)
            {
                Assert.True(await pipeline.WriteAsync(Entry(i, "10.0.0.1"), CancellationToken.None));
            }

            // A record the mapping refuses (source.ip is an ip field) is dead-lettered, not retried for ever.
            Assert.True(await pipeline.WriteAsync(Entry(999, "not-an-ip"), CancellationToken.None));

            using var http = new HttpClient { BaseAddress = url };
            var deadLetters = Path.Combine(queue, "dead-letter.ndjson");
            await EventuallyAsync(async () => File.Exists(deadLetters) && await CountAsync(http) == 200);
            await host.StopAsync();

            Assert.Equal(200, await CountAsync(http));
            Assert.Contains("evt-000999", await File.ReadAllTextAsync(deadLetters), StringComparison.Ordinal);
            using var dataStream = JsonDocument.Parse(await http.GetStringAsync($"/_data_stream/{DataStream}"));
            Assert.Equal("logs-envoygovern.audit", dataStream.RootElement.GetProperty("data_streams")[0].GetProperty("template").GetString());
            var mapping = await http.GetStringAsync($"/{DataStream}/_mapping/field/source.ip,event.id,envoygovern.canary_cluster");
            Assert.Contains("\"type\":\"ip\"", mapping, StringComparison.Ordinal);
            Assert.Contains("\"type\":\"keyword\"", mapping, StringComparison.Ordinal);

            using var hit = JsonDocument.Parse(await http.GetStringAsync($"/{DataStream}/_search?q=event.id:evt-000007"));
            var source = hit.RootElement.GetProperty("hits").GetProperty("hits")[0].GetProperty("_source").GetRawText();
            Assert.Equal(Encoding.UTF8.GetString(Entry(7, "10.0.0.1").Utf8Json.Span), source);
        }
        finally
        {
            Directory.Delete(queue, recursive: true);
        }
    }

    private static async Task<IHost> StartHostAsync(Uri url, string queue)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Audit:Sink"] = "Elasticsearch",
            ["Audit:QueueDirectory"] = queue,
            ["Audit:BatchSize"] = "50",
            ["Audit:RetryBaseDelay"] = "00:00:00.200",
            ["Audit:RetryMaxDelay"] = "00:00:02",
            ["Audit:Elasticsearch:Url"] = url.ToString(),
            ["Audit:Elasticsearch:IndexTemplateFile"] = Path.Combine(RepoPaths.Root, "envoy-config", "elk", "index-template.json"),
        });
        builder.Services.AddAuditDelivery(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static AuditEntry Entry(int i, string sourceIp)
    {
        var id = string.Create(CultureInfo.InvariantCulture, $"evt-{i:D6}");
        var json = string.Create(CultureInfo.InvariantCulture,
            $$$$"""{"@timestamp":"2026-11-26T10:00:00.000Z","event":{"id":"{{{{id}}}}","kind":"event","outcome":"success"},"source":{"ip":"{{{{sourceIp}}}}"},"envoygovern":{"canary":{"cluster":"stable"}}}""");
        return new AuditEntry(id, "extauthz", i + 1, Encoding.UTF8.GetBytes(json));
    }

    private static async Task<long> CountAsync(HttpClient http)
    {
        using var refresh = await http.PostAsync($"/{DataStream}/_refresh", null);
        using var response = await http.GetAsync($"/{DataStream}/_count");
        if (!response.IsSuccessStatusCode)
        {
            return -1;
        }

        var count = await response.Content.ReadFromJsonAsync<JsonElement>();
        return count.GetProperty("count").GetInt64();
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "Elasticsearch did not receive the records within 60 s");
            await Task.Delay(250);
        }
    }
}

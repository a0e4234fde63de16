using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using EnvoyGovern.Governance.Audit.Delivery;
using EnvoyGovern.Governance.Audit.Delivery.Elasticsearch;
using EnvoyGovern.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using static EnvoyGovern.Tests.Audit.Delivery.DeliveryFixtures;

namespace EnvoyGovern.Tests.Audit.Delivery;

/// <summary>
/// The sink through the real Elasticsearch client against a scripted HTTP server on loopback (the container test
/// in the integration tier covers a real cluster where Docker is available).
/// </summary>
public sealed class ElasticsearchAuditSinkTests
{
    [Fact]
    public async Task WriteBatch_FirstCall_InstallsTemplateOnceThenBulkCreatesRecordBytes()
    {
        await using var server = await FakeElasticsearch.StartAsync(_ => (200, """{"errors":false,"items":[]}"""));
        var sink = Sink(server, Path.Combine(RepoPaths.Root, "envoy-config", "elk", "index-template.json"));

        Assert.Empty(await sink.WriteBatchAsync([Entry(1), Entry(2)], CancellationToken.None));
        Assert.Empty(await sink.WriteBatchAsync([Entry(3)], CancellationToken.None));

        var requests = server.Requests.ToList();
        Assert.Equal(["PUT /_index_template/logs-envoygovern.audit", "POST /_bulk", "POST /_bulk"], requests.Select(r => r.Line));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "envoy-config", "elk", "index-template.json")), requests[0].Body);
        var bulk = requests[1].Body.Split('\n');
        Assert.Contains("\"create\"", bulk[0], StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetString(Entry(1).Utf8Json.Span), bulk[1]);
    }

    [Fact]
    public async Task WriteBatch_MappingErrorItem_ReturnedAsPermanentFailure()
    {
        await using var server = await FakeElasticsearch.StartAsync(_ => (200, """
            {"errors":true,"items":[{"create":{"status":201}},{"create":{"status":400,"error":{"type":"document_parsing_exception","reason":"bad ip"}}}]}
            """));
        var sink = Sink(server);

        var failure = Assert.Single(await sink.WriteBatchAsync([Entry(1), Entry(2)], CancellationToken.None));

        Assert.Equal(Id(2), failure.Entry.EventId);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    [InlineData(401)]
    public async Task WriteBatch_WholeRequestFails_ThrowsForRetry(int status)
    {
        await using var server = await FakeElasticsearch.StartAsync(_ => (status, """{"error":{"type":"x","reason":"y"},"status":503}"""));
        var sink = Sink(server);

        await Assert.ThrowsAsync<HttpRequestException>(async () => await sink.WriteBatchAsync([Entry(1)], CancellationToken.None));
    }

    [Fact]
    public async Task WriteBatch_NothingListening_ThrowsForRetry()
    {
        var options = new AuditDeliveryOptions { Elasticsearch = { Url = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}") } };
        var sink = new ElasticsearchAuditSink(ElasticsearchAuditSink.CreateClient(options), options.Elasticsearch.DataStream, null, NullLogger.Instance);

        await Assert.ThrowsAsync<HttpRequestException>(async () => await sink.WriteBatchAsync([Entry(1)], CancellationToken.None));
    }

    private static ElasticsearchAuditSink Sink(FakeElasticsearch server, string? template = null)
    {
        var options = new AuditDeliveryOptions { Elasticsearch = { Url = server.Url } };
        return new ElasticsearchAuditSink(ElasticsearchAuditSink.CreateClient(options), options.Elasticsearch.DataStream, template, NullLogger.Instance);
    }

    /// <summary>Answers every request with the scripted status and body, and records what it was sent.</summary>
    private sealed class FakeElasticsearch : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private FakeElasticsearch(WebApplication app, Uri url)
        {
            _app = app;
            Url = url;
        }

        public Uri Url { get; }

        public ConcurrentQueue<(string Line, string Body)> Requests { get; } = new();

        public static async Task<FakeElasticsearch> StartAsync(Func<string, (int Status, string Body)> answer)
        {
            var port = LoopbackPorts.Free();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            var app = builder.Build();
            var fake = new FakeElasticsearch(app, new Uri($"http://127.0.0.1:{port}"));
            app.Run(async context =>
            {
                // The client compresses request bodies, as Elasticsearch accepts.
                var gzip = context.Request.Headers.ContentEncoding == "gzip";
                using var reader = new StreamReader(gzip ? new GZipStream(context.Request.Body, CompressionMode.Decompress) : context.Request.Body);
                var body = await reader.ReadToEndAsync();
                var line = $"{context.Request.Method} {context.Request.Path}";
                fake.Requests.Enqueue((line, body));
                var (status, response) = answer(line);
                context.Response.StatusCode = status;
                context.Response.ContentType = "application/json";
                context.Response.Headers["X-Elastic-Product"] = "Elasticsearch";
                await context.Response.WriteAsync(response);
            });
            await app.StartAsync();
            return fake;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}

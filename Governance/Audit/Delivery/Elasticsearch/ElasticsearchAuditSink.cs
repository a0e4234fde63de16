using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.Audit.Delivery.Elasticsearch;

/// <summary>
/// Bulk <c>create</c> into an Elasticsearch data stream through the official client's transport, with the
/// records' bytes sent as they are (the hash chain covers them). Installs the index template first when configured.
/// </summary>
internal sealed class ElasticsearchAuditSink : IAuditSink
{
    /// <summary>Name of the index template the sink installs.</summary>
    public const string TemplateName = "logs-envoygovern.audit";

    private readonly ElasticsearchClient _client;
    private readonly string _dataStream;
    private readonly string? _templateFile;
    private readonly ILogger _logger;
    private bool _templateInstalled;

    public ElasticsearchAuditSink(IOptions<AuditDeliveryOptions> options, ILogger<ElasticsearchAuditSink> logger)
        : this(CreateClient(options.Value), options.Value.Elasticsearch.DataStream, options.Value.Elasticsearch.IndexTemplateFile, logger)
    {
    }

    internal ElasticsearchAuditSink(ElasticsearchClient client, string dataStream, string? templateFile, ILogger logger)
    {
        _client = client;
        _dataStream = dataStream;
        _templateFile = string.IsNullOrWhiteSpace(templateFile) ? null : templateFile;
        _logger = logger;
    }

    public string Name => "elasticsearch";

    public async ValueTask<IReadOnlyList<AuditSinkFailure>> WriteBatchAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!_templateInstalled && _templateFile is not null)
        {
            await InstallTemplateAsync(_client, _templateFile, cancellationToken);
            AuditDeliveryLog.TemplateInstalled(_logger, TemplateName);
            _templateInstalled = true;
        }

        var body = ElasticsearchBulk.Body(_dataStream, batch);
        var response = await _client.Transport.RequestAsync<BytesResponse>(
            Elastic.Transport.HttpMethod.POST, "/_bulk", PostData.ReadOnlyMemory(body), cancellationToken);
        EnsureSuccess(response, "bulk");
        return ElasticsearchBulk.Failures(response.Body, batch);
    }

    /// <summary>Puts the composable index template from <paramref name="templateFile"/> (idempotent).</summary>
    public static async Task InstallTemplateAsync(ElasticsearchClient client, string templateFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var template = await File.ReadAllBytesAsync(templateFile, cancellationToken);
        var response = await client.Transport.RequestAsync<BytesResponse>(
            Elastic.Transport.HttpMethod.PUT, $"/_index_template/{TemplateName}", PostData.ReadOnlyMemory(template), cancellationToken);
        EnsureSuccess(response, "index template");
    }

    /// <summary>A client for the configured cluster: one node, no transport-level retries (the queue retries).</summary>
    public static ElasticsearchClient CreateClient(AuditDeliveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var es = options.Elasticsearch;
        var settings = new ElasticsearchClientSettings(es.Url!)
            .RequestTimeout(options.SinkTimeout)
            .MaximumRetries(0);
        if (!string.IsNullOrEmpty(es.ApiKey))
        {
            settings = settings.Authentication(new ApiKey(es.ApiKey));
        }
        else if (!string.IsNullOrEmpty(es.Username))
        {
            settings = settings.Authentication(new BasicAuthentication(es.Username, es.Password!));
        }

        if (!string.IsNullOrEmpty(es.CertificateFingerprint))
        {
            settings = settings.CertificateFingerprint(es.CertificateFingerprint);
        }

        return new ElasticsearchClient(settings);
    }

    private static void EnsureSuccess(BytesResponse response, string what)
    {
        var details = response.ApiCallDetails;
        if (details.HasSuccessfulStatusCode && details.HttpStatusCode is >= 200 and < 300)
        {
            return;
        }

        // Whole-request failures (unreachable, 401/403, 429, 5xx) are transient to the queue: it retries until
        // the cluster or the credentials are fixed, and loses nothing meanwhile.
        throw new HttpRequestException(
            $"Elasticsearch {what} failed: HTTP {details.HttpStatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}",
            details.OriginalException);
    }
}

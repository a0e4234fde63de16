using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.Audit.Delivery;

/// <summary>Checks that need more than one setting at a time; ranges are data annotations.</summary>
internal sealed class AuditDeliveryOptionsValidator : IValidateOptions<AuditDeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditDeliveryOptions options)
    {
        var failures = new List<string>();
        if (options.Sink != AuditSinkKind.Stdout && string.IsNullOrWhiteSpace(options.QueueDirectory))
        {
            failures.Add("Audit:QueueDirectory is required when Audit:Sink is File or Elasticsearch.");
        }

        // Space comes back a whole segment at a time: with fewer than two, a full queue could never drain into room.
        if (options.MaxQueueBytes < 2 * options.SegmentBytes)
        {
            failures.Add($"Audit:MaxQueueBytes ({options.MaxQueueBytes}) must be at least twice Audit:SegmentBytes ({options.SegmentBytes}).");
        }

        if (options.MaxRecordBytes > options.SegmentBytes)
        {
            failures.Add("Audit:MaxRecordBytes must not exceed Audit:SegmentBytes.");
        }

        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add("Audit:RetryMaxDelay must not be shorter than Audit:RetryBaseDelay.");
        }

        if (options.Sink == AuditSinkKind.File && string.IsNullOrWhiteSpace(options.File.Directory))
        {
            failures.Add("Audit:File:Directory is required when Audit:Sink is File.");
        }

        if (options.Sink == AuditSinkKind.Elasticsearch)
        {
            ValidateElasticsearch(options.Elasticsearch, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateElasticsearch(ElasticsearchAuditSinkOptions es, List<string> failures)
    {
        if (es.Url is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add("Audit:Elasticsearch:Url must be an absolute http(s) address when Audit:Sink is Elasticsearch.");
        }

        if (!string.IsNullOrEmpty(es.ApiKey) && !string.IsNullOrEmpty(es.Username))
        {
            failures.Add("Audit:Elasticsearch: set ApiKey or Username/Password, not both.");
        }

        if (string.IsNullOrEmpty(es.Username) != string.IsNullOrEmpty(es.Password))
        {
            failures.Add("Audit:Elasticsearch: Username and Password go together.");
        }

        if (!string.IsNullOrWhiteSpace(es.IndexTemplateFile) && !System.IO.File.Exists(es.IndexTemplateFile))
        {
            failures.Add($"Audit:Elasticsearch:IndexTemplateFile '{es.IndexTemplateFile}' does not exist.");
        }
    }
}

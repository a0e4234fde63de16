using System.Text;
using System.Text.Json;
using EnvoyGovern.Governance.Audit.Delivery.Elasticsearch;
using static EnvoyGovern.Tests.Audit.Delivery.DeliveryFixtures;

namespace EnvoyGovern.Tests.Audit.Delivery;

public sealed class ElasticsearchBulkTests
{
    [Fact]
    public void Body_Batch_CreateActionWithEventIdThenRecordBytesPerEntry()
    {
        var batch = new[] { Entry(1), Entry(2) };

        var lines = Encoding.UTF8.GetString(ElasticsearchBulk.Body("logs-envoygovern.audit-default", batch)).Split('\n');

        Assert.Equal(5, lines.Length);
        Assert.Equal("", lines[4]);
        var action = JsonDocument.Parse(lines[0]).RootElement.GetProperty("create");
        Assert.Equal("logs-envoygovern.audit-default", action.GetProperty("_index").GetString());
        Assert.Equal(Id(1), action.GetProperty("_id").GetString());
        Assert.Equal(Encoding.UTF8.GetString(batch[0].Utf8Json.Span), lines[1]);
        Assert.Equal(Encoding.UTF8.GetString(batch[1].Utf8Json.Span), lines[3]);
    }

    [Fact]
    public void Failures_NoErrors_None()
    {
        var response = """{"took":3,"errors":false,"items":[{"create":{"_id":"evt-000001","status":201}}]}""";

        Assert.Empty(ElasticsearchBulk.Failures(Encoding.UTF8.GetBytes(response), [Entry(1)]));
    }

    [Fact]
    public void Failures_ConflictOnReplay_CountsAsWritten()
    {
        var response = """
            {"errors":true,"items":[
              {"create":{"_id":"evt-000001","status":409,"error":{"type":"version_conflict_engine_exception","reason":"document already exists"}}},
              {"create":{"_id":"evt-000002","status":201}}]}
            """;

        Assert.Empty(ElasticsearchBulk.Failures(Encoding.UTF8.GetBytes(response), [Entry(1), Entry(2)]));
    }

    [Fact]
    public void Failures_MappingError_ReturnsItAsPermanentWithReason()
    {
        var response = """
            {"errors":true,"items":[
              {"create":{"_id":"evt-000001","status":201}},
              {"create":{"_id":"evt-000002","status":400,"error":{"type":"document_parsing_exception","reason":"failed to parse field [http.response.status_code]"}}}]}
            """;

        var failure = Assert.Single(ElasticsearchBulk.Failures(Encoding.UTF8.GetBytes(response), [Entry(1), Entry(2)]));

        Assert.Equal(Id(2), failure.Entry.EventId);
        Assert.Equal("400 document_parsing_exception: failed to parse field [http.response.status_code]", failure.Reason);
    }

    [Theory]
    [InlineData(429, "es_rejected_execution_exception")]
    [InlineData(503, "unavailable_shards_exception")]
    public void Failures_RetryableItem_ThrowsSoTheBatchIsRetried(int status, string type)
    {
        var response = """
            {"errors":true,"items":[
              {"create":{"_id":"evt-000001","status":400,"error":{"type":"document_parsing_exception","reason":"bad"}}},
              {"create":{"_id":"evt-000002","status":STATUS,"error":{"type":"TYPE","reason":"busy"}}}]}
            """.Replace("STATUS", status.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("TYPE", type, StringComparison.Ordinal);

        var e = Assert.Throws<HttpRequestException>(() => ElasticsearchBulk.Failures(Encoding.UTF8.GetBytes(response), [Entry(1), Entry(2)]));
        Assert.Contains(type, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Failures_ItemCountMismatch_Throws()
    {
        var response = """{"errors":true,"items":[{"create":{"_id":"evt-000001","status":201}}]}""";

        Assert.Throws<HttpRequestException>(() => ElasticsearchBulk.Failures(Encoding.UTF8.GetBytes(response), [Entry(1), Entry(2)]));
    }
}

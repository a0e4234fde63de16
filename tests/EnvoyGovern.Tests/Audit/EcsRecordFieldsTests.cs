using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using EnvoyGovern.Governance.Audit.Recording;

namespace EnvoyGovern.Tests.Audit;

/// <summary>
/// The raw field groups of the Check's record (<see cref="EcsRecordFields"/>) against the <see cref="Utf8JsonWriter"/>
/// groups that ExtProc's records still use (<see cref="EcsFields"/>): two writers of one ECS shape must not drift apart,
/// so each group must come out as the same bytes for the same input.
/// </summary>
public sealed class EcsRecordFieldsTests
{
    public static TheoryData<string?, string?, string?> Urls() => new()
    {
        { "https", "api.example.com", "/v1/chat/completions" },
        { "http", "api.example.com:8443", "/v1/models?api_key=secret&q=1#frag" },
        { null, "[2001:db8::1]:443", "/path?token=abc&access_token=def" },
        { "https", null, "/only/path" },
        { null, null, null },
        { "https", "host", "/q\"uote?x=\u00e9\u0001" },
    };

    public static TheoryData<string?, string[], string?> Callers() => new()
    {
        { "acme-chat-service", ["developers", "ops"], "acme" },
        { "spiffe://cluster.local/ns/a/sa/b", [], null },
        { null, [], "globex" },
        { null, [], null },
        { "sub\"ject", ["g\u00e9"], "t\\n" },
    };

    [Theory]
    [MemberData(nameof(Urls))]
    public void WriteUrl_SameInput_SameBytesAsEcsFields(string? scheme, string? authority, string? pathAndQuery)
    {
        Assert.Equal(
            Expected(w => EcsFields.WriteUrl(w, scheme, authority, pathAndQuery, AuditRedaction.Default)),
            Raw(w => EcsRecordFields.WriteUrl(w, scheme, authority, pathAndQuery, AuditRedaction.Default)));
    }

    [Theory]
    [MemberData(nameof(Callers))]
    public void WriteCaller_SameInput_SameBytesAsEcsFields(string? subject, string[] groups, string? tenant)
    {
        Assert.Equal(
            Expected(w => EcsFields.WriteCaller(w, subject, groups, tenant)),
            Raw(w => EcsRecordFields.WriteCaller(w, subject, groups, tenant)));
    }

    [Theory]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7")]
    [InlineData("not a traceparent")]
    [InlineData("")]
    [InlineData(null)]
    public void WriteTraceContext_SameInput_SameBytesAsEcsFields(string? traceparent)
    {
        Assert.Equal(
            Expected(w => EcsFields.WriteTraceContext(w, traceparent)),
            Raw(w => EcsRecordFields.WriteTraceContext(w, traceparent)));
    }

    // Each raw group starts with its comma: both sides write it after a first member of the same object.
    private static string Raw(Action<AuditRecordWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new AuditRecordWriter(buffer);
        writer.Raw("{\"first\":0"u8);
        write(writer);
        writer.Raw("}"u8);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Expected(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("first", 0);
            write(writer);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

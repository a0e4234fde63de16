using System.Text;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using EnvoyGovern.ExtProc.Audit;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.ExtProc.Processing;
using EnvoyGovern.ExtProc.Waf;
using Google.Protobuf;

namespace EnvoyGovern.Tests.ExtProc.Inspection;

/// <summary>
/// The request headers' texts are decoded once per exchange and shared by their readers (audit facts, WAF, content
/// gate, model governance): each reader must see exactly what it saw when it decoded the headers itself.
/// </summary>
public sealed class SharedHeaderTextTests
{
    // Raw UTF-8 and plain values, a non-ASCII value (UTF-8 and Latin-1 differ), invalid UTF-8, and repeated pseudo-headers.
    private static HeaderMap Headers() => new()
    {
        Headers =
        {
            Raw(":method", "POST"),
            Raw(":path", "/v1/chat/completions?q=1"),
            new HeaderValue { Key = ":authority", Value = "api.example.com" },
            Raw(":path", "/second"),
            Raw("user-agent", "agent/1 ünïcode"),
            new HeaderValue { Key = "x-latin", RawValue = ByteString.CopyFrom(0x61, 0xE9, 0xFF) },
            Raw("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            new HeaderValue { Key = "x-governance-tenant", Value = "acmé" },
            Raw(":authority", "other.example.com"),
        },
    };

    private static HeaderValue Raw(string key, string value) => new() { Key = key, RawValue = ByteString.CopyFromUtf8(value) };

    [Fact]
    public void Decoded_FindAndPseudoHeaders_MatchReadingTheHeadersDirectly()
    {
        var headers = Headers();
        var decoded = new DecodedHeaders(headers);

        foreach (var name in new[] { ":path", ":authority", ":method", "user-agent", "x-latin", "x-governance-tenant", "absent" })
        {
            Assert.Equal(headers.Find(name), decoded.Find(name));
        }

        // The last of a repeated pseudo-header, as the WAF and the audit facts keep it.
        Assert.Equal("/second", decoded.Path);
        Assert.Equal("other.example.com", decoded.Authority);
        Assert.Equal("POST", decoded.Method);
        Assert.Same(decoded.Find("user-agent"), decoded.Text(4));
    }

    [Fact]
    public void Decoded_SameHeaderMap_IsSharedWithinTheExchange()
    {
        var context = new InspectionContext("x", DateTimeOffset.UnixEpoch);
        var headers = Headers();

        Assert.Same(context.Decoded(headers), context.Decoded(headers));
        Assert.NotSame(context.Decoded(headers), context.Decoded(Headers()));
    }

    [Fact]
    public void EnvoyExchangeRequest_WithSharedTexts_EqualsItsOwnDecoding()
    {
        var headers = Headers();
        var (expectedLine, expectedHeaders) = EnvoyExchange.Request(headers, null);
        var decoded = new DecodedHeaders(headers);
        _ = decoded.Find("user-agent"); // a text another reader decoded first
        var list = new List<KeyValuePair<string, string>>();

        var line = EnvoyExchange.Request(headers, null, decoded, list);

        Assert.Equal(expectedLine, line);
        Assert.Equal(expectedHeaders, list);
        // Latin-1 text of the bytes, not UTF-8, where they differ.
        Assert.Contains(list, h => h.Key == "user-agent" && h.Value == Encoding.Latin1.GetString(Encoding.UTF8.GetBytes("agent/1 ünïcode")));
    }

    [Fact]
    public void ExchangeFacts_WithSharedTexts_EqualsItsOwnDecoding()
    {
        var headers = Headers();
        string[] allowed = ["user-agent", "x-latin", ":path"];
        var own = new ExchangeFacts(allowed);
        own.Observe(HttpDirection.Request, headers);
        var shared = new ExchangeFacts(allowed);

        shared.Observe(HttpDirection.Request, headers, new DecodedHeaders(headers));

        Assert.Equal((own.Method, own.Path, own.Authority, own.UserAgent, own.Traceparent, own.Tenant), (shared.Method, shared.Path, shared.Authority, shared.UserAgent, shared.Traceparent, shared.Tenant));
        Assert.Equal(own.Headers.OrderBy(h => h.Key), shared.Headers.OrderBy(h => h.Key));
    }

    [Fact]
    public void HeadersAnswer_ConstantVerdict_IsBuiltOnceAndCopiesAreNot()
    {
        var constant = InspectionVerdict.Constant(new InspectionVerdict { RemoveHeaders = ["x-a"] });
        var copy = constant with { };
        var request = new DirectionState(HttpDirection.Request);
        var response = new DirectionState(HttpDirection.Response);

        var first = ProcessingResponses.Headers(HttpDirection.Request, constant, request, response);
        var second = ProcessingResponses.Headers(HttpDirection.Request, constant, request, response);
        var ofCopy = ProcessingResponses.Headers(HttpDirection.Request, copy, request, response);

        Assert.Same(first, second);
        Assert.NotSame(first, ofCopy);
        Assert.Equal(ofCopy, first);
        Assert.Equal(["x-a"], first.RequestHeaders.Response.HeaderMutation.RemoveHeaders);
        Assert.Equal(ProcessingResponse.ResponseOneofCase.ResponseHeaders, ProcessingResponses.Headers(HttpDirection.Response, constant, request, response).ResponseCase);
    }

    [Fact]
    public void Serialized_ConstantAnswers_AreTheirBytesAndOthersHaveNone()
    {
        var constant = InspectionVerdict.Constant(new InspectionVerdict { RemoveHeaders = ["x-b"], SetHeaders = [new("x-c", "1")] });
        var request = new DirectionState(HttpDirection.Request);
        var response = new DirectionState(HttpDirection.Response);
        var passThrough = ProcessingResponses.Headers(HttpDirection.Response, InspectionVerdict.Continue, request, response);
        var ofConstant = ProcessingResponses.Headers(HttpDirection.Request, constant, request, response);
        var ofCopy = ProcessingResponses.Headers(HttpDirection.Request, constant with { }, request, response);

        Assert.Equal(passThrough.ToByteArray(), ProcessingResponses.Serialized(passThrough));
        Assert.Equal(ofConstant.ToByteArray(), ProcessingResponses.Serialized(ofConstant));
        Assert.Null(ProcessingResponses.Serialized(ofCopy));
        Assert.Null(ProcessingResponses.Serialized(new ProcessingResponse { RequestHeaders = new HeadersResponse() }));
    }
}

using System.Text;
using Envoy.Service.Auth.V3;
using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Envoy;
using Google.Protobuf;
using HttpRequest = Envoy.Service.Auth.V3.AttributeContext.Types.HttpRequest;

namespace EnvoyGovern.Tests.ExtAuthz;

/// <summary>
/// <see cref="CheckRequestView"/> against the generated parser, the reference for every field the service reads:
/// the same values, the same headers (looked up as the service looked them up in the generated message), and the
/// same verdict on bytes that are not a CheckRequest.
/// </summary>
public sealed class CheckRequestViewTests
{
    private static readonly string[] AlwaysAsked = ["x-absent", "", "X-API-KEY", "x-ümlaut-名前", "\uFFFD", "x-\uFFFD\uFFFD"];

    [Fact]
    public void Parse_RandomRequests_ReadsWhatTheGeneratedParserReads()
    {
        var requests = new RandomCheckRequests(seed: 20261127);
        var rejected = Enumerable.Range(0, 3000).Count(i => !AssertSameVerdict(requests.Next(), $"request {i}"));

        // The requests with a map entry of invalid UTF-8 (about one in twenty) are rejected by both; the rest read alike.
        Assert.InRange(rejected, 20, 600);
    }

    [Fact]
    public void Parse_DamagedRequests_RejectedExactlyWhenTheGeneratedParserRejects()
    {
        var requests = new RandomCheckRequests(seed: 7);
        var random = new Random(7);
        var rejected = Enumerable.Range(0, 4000).Count(i => !AssertSameVerdict(Damage(requests.Next(), random), $"damaged request {i}"));

        // Most damage breaks the framing or a string; the rest must read alike (checked above).
        Assert.InRange(rejected, 1000, 3990);
    }

    [Theory]
    [InlineData("0a0922071205" + "1a030a01ff")]
    [InlineData("0a05" + "0a031201ff")]
    [InlineData("0a0822061204" + "5a02ff7b")]
    public void Parse_StringNotUtf8_RejectedAsByTheGeneratedParser(string hex)
    {
        // A header name, the source's service (which nothing reads), the body: each a string field.
        var bytes = Convert.FromHexString(hex);

        Assert.Throws<InvalidProtocolBufferException>(() => CheckRequest.Parser.ParseFrom(bytes));
        var error = Assert.Throws<InvalidCheckRequestException>(() => CheckRequestView.Parse(bytes));
        Assert.Equal("the CheckRequest is not valid protobuf: a string that is not UTF-8", error.Message);
    }

    [Theory]
    [InlineData("0a05", "a field longer than its message")]
    [InlineData("0f", "wire type 7")]
    [InlineData("00", "a field number of 0")]
    [InlineData("0c", "an end-group tag without its start")]
    [InlineData("0b1c", "group 1 ended by the end-group tag of field 3")]
    [InlineData("0b", "a group without its end-group tag")]
    [InlineData("08ffffffffffffffffffff01", "a varint longer than ten bytes")]
    [InlineData("0affffffff0f", "a negative length")]
    public void Parse_BrokenFraming_ThrowsNamingTheFault(string hex, string fault)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.Throws<InvalidProtocolBufferException>(() => CheckRequest.Parser.ParseFrom(bytes));

        var error = Assert.Throws<InvalidCheckRequestException>(() => CheckRequestView.Parse(bytes));

        Assert.Equal($"the CheckRequest is not valid protobuf: {fault}", error.Message);
    }

    [Fact]
    public void Parse_MessagesNestedPastTheLimit_Rejected()
    {
        // 101 groups inside the top-level message: one more than Google.Protobuf allows.
        var bytes = Enumerable.Repeat((byte)0x0b, 101).Concat(Enumerable.Repeat((byte)0x0c, 101)).ToArray();

        Assert.Throws<InvalidProtocolBufferException>(() => CheckRequest.Parser.ParseFrom(bytes));
        Assert.Throws<InvalidCheckRequestException>(() => CheckRequestView.Parse(bytes));
    }

    [Fact]
    public void Parse_WireType7InAMapEntry_PassedOverAsByTheGeneratedParser()
    {
        // attributes.context_extensions: an entry of key "k", a field 3 of wire type 7, value "v". Google.Protobuf's
        // map entry skips what it does not know with SkipLastField, which has no case for wire types 6 and 7.
        var bytes = Convert.FromHexString("0a09" + "5207" + "0a016b" + "1f" + "120176");

        var view = CheckRequestView.Parse(bytes);

        Assert.Equal("v", CheckRequest.Parser.ParseFrom(bytes).Attributes.ContextExtensions["k"]);
        Assert.Equal("v", view.ContextExtensions["k"]);
    }

    [Fact]
    public void GetHeader_RawHeaderMap_ReadsRawValueElseValue()
    {
        var http = new HttpRequest { HeaderMap = new() };
        http.HeaderMap.Headers.Add(new Envoy.Config.Core.V3.HeaderValue { Key = "x-a", RawValue = ByteString.CopyFromUtf8("raw") });
        http.HeaderMap.Headers.Add(new Envoy.Config.Core.V3.HeaderValue { Key = "x-a", Value = "text" });
        var request = new CheckRequest { Attributes = new() { Request = new() { Http = http } } };

        var view = CheckRequestView.From(request);

        Assert.Equal("raw,text", view.Http!.GetHeader("x-a"));
        Assert.True(view.Http.HasHeaderMap);
    }

    [Fact]
    public void GetHeader_RawValueNotUtf8_DecodedWithReplacementAsByteStringDecodes()
    {
        var http = new HttpRequest { HeaderMap = new() };
        http.HeaderMap.Headers.Add(new Envoy.Config.Core.V3.HeaderValue { Key = "x-a", RawValue = ByteString.CopyFrom(0x41, 0xff, 0x42) });

        var view = CheckRequestView.From(new CheckRequest { Attributes = new() { Request = new() { Http = http } } });

        Assert.Equal("A\uFFFDB", view.Http!.GetHeader("x-a"));
    }

    [Fact]
    public void Parse_EnvoyBuiltRequest_KeepsItsBytes()
    {
        var bytes = new EnvoyCheckRequestBuilder().Header("x-api-key", "k").Build().ToByteArray();

        var view = CheckRequestView.Parse(bytes);

        Assert.Equal(bytes, view.Payload.ToArray());
        Assert.Equal("k", view.Http!.GetHeader("x-api-key"));
    }

    private static byte[] Damage(byte[] bytes, Random random)
    {
        if (bytes.Length == 0)
        {
            return [(byte)random.Next(256)];
        }

        var damaged = (byte[])bytes.Clone();
        switch (random.Next(3))
        {
            case 0:
                return damaged[..random.Next(damaged.Length)];
            case 1:
                damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
                return damaged;
            default:
                damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8));
                return damaged;
        }
    }

    // True when both parsers accept the bytes (and read the same), false when both reject them.
    private static bool AssertSameVerdict(byte[] bytes, string what)
    {
        what = $"{what}: {Convert.ToHexString(bytes)}";
        CheckRequest expected;
        try
        {
            expected = CheckRequest.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            var error = Record.Exception(() => CheckRequestView.Parse(bytes));
            Assert.True(error is InvalidCheckRequestException, $"{what}: rejected by the generated parser, got {error?.GetType().Name ?? "no error"}");
            return false;
        }

        AssertSameAsGenerated(CheckRequestView.Parse(bytes), expected, what);
        return true;
    }

    private static void AssertSameAsGenerated(CheckRequestView view, CheckRequest expected, string what)
    {
        var attributes = expected.Attributes;
        var http = attributes?.Request?.Http;
        Assert.True((http is null) == (view.Http is null), what);
        var source = attributes?.Source;
        var socket = source?.Address?.SocketAddress;
        Assert.True(socket?.Address == view.SourceAddress, what);
        Assert.True((socket?.PortValue ?? 0) == view.SourcePort, what);
        Assert.True((source?.Principal ?? "") == view.SourcePrincipal, what);
        Assert.True((source?.Certificate ?? "") == view.SourceCertificate, what);
        Assert.True((attributes?.TlsSession?.Sni ?? "") == view.TlsSni, what);
        Assert.True(Equals(attributes?.MetadataContext, view.MetadataContext), what);
        Assert.True(Equals(attributes?.RouteMetadataContext, view.RouteMetadataContext), what);
        var extensions = attributes?.ContextExtensions.ToList() ?? [];
        Assert.True(extensions.SequenceEqual(view.ContextExtensions), what);
        if (http is not null)
        {
            AssertSameHttp(http, view.Http!, what);
        }
    }

    private static void AssertSameHttp(HttpRequest expected, HttpRequestView actual, string what)
    {
        Assert.True(
            (expected.Id, expected.Method, expected.Path, expected.Host, expected.Scheme, expected.Query, expected.Fragment, expected.Protocol, expected.Size, expected.Body)
            == (actual.Id, actual.Method, actual.Path, actual.Host, actual.Scheme, actual.Query, actual.Fragment, actual.Protocol, actual.Size, actual.Body),
            what);
        Assert.True(expected.RawBody.Span.SequenceEqual(actual.RawBody), what);
        Assert.True(Encoding.UTF8.GetBytes(expected.Body).AsSpan().SequenceEqual(actual.BodyUtf8), what);
        Assert.True((expected.HeaderMap is not null) == actual.HasHeaderMap, what);
        var asked = expected.Headers.Keys
            .Concat(expected.HeaderMap?.Headers.Select(h => h.Key) ?? [])
            .SelectMany(name => new[] { name, name.ToUpperInvariant() })
            .Concat(AlwaysAsked);
        foreach (var name in asked)
        {
            Assert.True(GetHeader(expected, name) == actual.GetHeader(name), $"{what}: header '{name}'");
        }
    }

    // How the service looked a header up in the generated message before the view.
    private static string? GetHeader(HttpRequest http, string name)
    {
        if (http.Headers.TryGetValue(name, out var value))
        {
            return value;
        }

        if (http.HeaderMap is null)
        {
            return null;
        }

        string? joined = null;
        foreach (var header in http.HeaderMap.Headers.Where(h => h.Key == name))
        {
            joined = joined is null ? header.Text() : $"{joined},{header.Text()}";
        }

        return joined;
    }
}

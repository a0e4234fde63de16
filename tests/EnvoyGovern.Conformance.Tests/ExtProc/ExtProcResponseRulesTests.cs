using Envoy.Config.Common.MutationRules.V3;
using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Envoy.Service.ExtProc.V3;
using EnvoyGovern.Conformance.ExtProc;
using EnvoyGovern.Conformance.Tests.Fakes;
using EnvoyGovern.Conformance.Wire;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kind = Envoy.Service.ExtProc.V3.ProcessingRequest.RequestOneofCase;
using Mode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.Conformance.Tests.ExtProc;

public sealed class ExtProcResponseRulesTests
{
    private static readonly ExtProcFilterConfig Config = new();

    private static ExtProcMessageContext Context(Kind kind, Mode mode = Mode.None, ExtProcFilterConfig? config = null,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null) => new(config ?? Config, kind, mode, headers, false);

    private static ProcessingResponse RequestHeaders(CommonResponse common) => new() { RequestHeaders = new HeadersResponse { Response = common } };

    private static ProcessingResponse RequestBody(CommonResponse common) => new() { RequestBody = new BodyResponse { Response = common } };

    private static IEnumerable<string> Rules(ProcessingResponse r, ExtProcMessageContext c) => ExtProcResponseRules.Validate(r, c).Select(v => v.Rule);

    [Fact]
    public void Validate_CorrectHeadersAnswer_NoViolations() =>
        Assert.Empty(ExtProcResponseRules.Validate(RequestHeaders(Answers.WithHeaders(Answers.Set("x-user", "a"))), Context(Kind.RequestHeaders)));

    [Fact]
    public void Validate_WrongKind_ReportsSpurious() =>
        Assert.Contains(ExtProcRuleIds.SpuriousMessage, Rules(RequestBody(new CommonResponse()), Context(Kind.RequestHeaders)));

    [Fact]
    public void Validate_ImmediateStatus100_ReportsInvalidStatus()
    {
        var response = new ProcessingResponse { ImmediateResponse = new ImmediateResponse { Status = new Envoy.Type.V3.HttpStatus { Code = Envoy.Type.V3.StatusCode.Continue } } };

        Assert.Contains(ExtProcRuleIds.ImmediateStatusInvalid, Rules(response, Context(Kind.RequestHeaders)));
    }

    [Fact]
    public void Validate_ModeOverrideInBodyAnswer_ReportsNotInHeaders()
    {
        var response = RequestBody(new CommonResponse());
        response.ModeOverride = new ProcessingMode();

        Assert.Contains(ExtProcRuleIds.ModeOverrideNotInHeaders, Rules(response, Context(Kind.RequestBody, Mode.Streamed)));
    }

    [Fact]
    public void Validate_StreamedResponseOutsideDuplex_ReportsSpurious()
    {
        var response = RequestBody(new CommonResponse { BodyMutation = ExtProcWire.StreamedResponse("x"u8, true) });

        Assert.Contains(ExtProcRuleIds.StreamedResponseOutsideDuplex, Rules(response, Context(Kind.RequestBody, Mode.Streamed)));
    }

    [Fact]
    public void Validate_PlainBodyInDuplex_ReportsSpurious() =>
        Assert.Contains(ExtProcRuleIds.BodyMutationInDuplex, Rules(RequestBody(Answers.WithBody("x")), Context(Kind.RequestBody, ExtProcWire.FullDuplexStreamed)));

    [Fact]
    public void Validate_BufferedBodyNotMatchingContentLength_ReportsMismatch() =>
        Assert.Contains(ExtProcRuleIds.ContentLengthMismatch,
            Rules(RequestBody(Answers.WithBody("four")), Context(Kind.RequestBody, Mode.Buffered, headers: [new("content-length", "3")])));

    [Fact]
    public void Validate_BufferedBodyWithUpdatedContentLength_NoViolations()
    {
        var common = Answers.WithHeaders(Answers.Set("content-length", "4"));
        common.BodyMutation = new BodyMutation { Body = ByteString.CopyFromUtf8("four") };

        Assert.Empty(ExtProcResponseRules.Validate(RequestBody(common), Context(Kind.RequestBody, Mode.Buffered, headers: [new("content-length", "3")])));
    }

    [Theory]
    [InlineData("host")]
    [InlineData(":authority")]
    [InlineData(":method")]
    [InlineData("x-envoy-upstream-rq-timeout-ms")]
    public void Validate_SetOfProtectedHeader_ReportsIgnored(string name) =>
        Assert.Contains(ExtProcRuleIds.MutationIgnored, Rules(RequestHeaders(Answers.WithHeaders(Answers.Set(name, "v"))), Context(Kind.RequestHeaders)));

    [Fact]
    public void Validate_RemovePseudoHeader_ReportsIgnored()
    {
        var common = new CommonResponse { HeaderMutation = new Envoy.Service.ExtProc.V3.HeaderMutation { RemoveHeaders = { ":path" } } };

        Assert.Contains(ExtProcRuleIds.MutationIgnored, Rules(RequestHeaders(common), Context(Kind.RequestHeaders)));
    }

    [Fact]
    public void Validate_DisallowIsError_ReportsFailed()
    {
        var config = new ExtProcFilterConfig { MutationRules = new HeaderMutationRules { DisallowIsError = true } };

        Assert.Contains(ExtProcRuleIds.MutationFailed, Rules(RequestHeaders(Answers.WithHeaders(Answers.Set("host", "x"))), Context(Kind.RequestHeaders, config: config)));
    }

    [Fact]
    public void Validate_ValueAndRawValue_ReportsBoth()
    {
        var option = Answers.Set("x-user", "a");
        option.Header.Value = "a";

        Assert.Contains("HEADER_VALUE_AND_RAW_VALUE", Rules(RequestHeaders(Answers.WithHeaders(option)), Context(Kind.RequestHeaders)));
    }

    [Fact]
    public void Validate_ValueInsteadOfRawValue_ReportsNotRaw()
    {
        var option = Answers.Set("x-user", string.Empty);
        option.Header.Value = "a";

        Assert.Contains("HEADER_VALUE_NOT_RAW", Rules(RequestHeaders(Answers.WithHeaders(option)), Context(Kind.RequestHeaders)));
    }

    [Fact]
    public void Validate_ClearRouteCacheOnResponsePath_ReportsIgnored()
    {
        var common = Answers.WithHeaders(Answers.Set("x-a", "b"));
        common.ClearRouteCache = true;

        Assert.Contains(ExtProcRuleIds.ClearRouteCacheIgnored,
            Rules(new ProcessingResponse { ResponseHeaders = new HeadersResponse { Response = common } }, Context(Kind.ResponseHeaders)));
    }

    [Fact]
    public void Validate_OverrideTimeoutWithoutMax_ReportsOutOfRange()
    {
        var response = new ProcessingResponse { OverrideMessageTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) };

        Assert.Contains(ExtProcRuleIds.OverrideTimeoutOutOfRange, Rules(response, Context(Kind.RequestHeaders)));
    }
}

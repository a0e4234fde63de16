using Envoy.Config.Core.V3;
using Envoy.Service.Auth.V3;
using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.Conformance.Tests.Fakes;
using Google.Protobuf;
using Google.Rpc;
using HttpStatus = Envoy.Type.V3.HttpStatus;
using StatusCode = Envoy.Type.V3.StatusCode;

namespace EnvoyGovern.Conformance.Tests.CheckRequests;

public sealed class CheckResponseRulesTests
{
    private static CheckResponse Ok(params HeaderValueOption[] headers)
    {
        var ok = new OkHttpResponse();
        ok.Headers.AddRange(headers);
        return new CheckResponse { Status = new Status { Code = 0 }, OkResponse = ok };
    }

    private static IEnumerable<string> Rules(CheckResponse response) => CheckResponseRules.Validate(response).Select(v => v.Rule);

    [Fact]
    public void Validate_OkWithConsistentHeaders_NoViolations()
    {
        var response = Ok(Answers.AuthzSet("x-user", "alice"), Answers.AuthzSet(":path", "/v2"));
        response.OkResponse.HeadersToRemove.Add("authorization");

        Assert.Empty(CheckResponseRules.Validate(response));
    }

    [Fact]
    public void Validate_DeniedWithStatusAndHeaders_NoViolations()
    {
        var denied = new DeniedHttpResponse { Status = new HttpStatus { Code = StatusCode.Unauthorized }, Body = "no" };
        denied.Headers.Add(Answers.AuthzSet("www-authenticate", "Bearer"));

        Assert.Empty(CheckResponseRules.Validate(new CheckResponse { Status = new Status { Code = 16 }, DeniedResponse = denied }));
    }

    [Fact]
    public void Validate_NoStatus_ReportsImplicitAllow() => Assert.Contains("AUTHZ_STATUS_MISSING", Rules(new CheckResponse()));

    [Fact]
    public void Validate_AppendUnset_ReportsMissingAppend()
    {
        var option = Answers.AuthzSet("x-user", "a");
        option.Append = null;

        Assert.Contains("HVO_APPEND_MISSING", Rules(Ok(option)));
    }

    [Fact]
    public void Validate_AppendTrueWithOverwriteAction_ReportsMismatch()
    {
        var option = Answers.AuthzSet("x-user", "a");
        option.Append = true;

        Assert.Contains("HVO_APPEND_MISMATCH", Rules(Ok(option)));
    }

    [Fact]
    public void Validate_AddIfAbsent_ReportsUnportable()
    {
        var option = Answers.AuthzSet("x-user", "a");
        option.Append = null;
        option.AppendAction = HeaderValueOption.Types.HeaderAppendAction.AddIfAbsent;

        Assert.Contains("HVO_APPEND_ACTION_UNPORTABLE", Rules(Ok(option)));
    }

    [Fact]
    public void Validate_CrLfInValue_ReportsInvalidValue() =>
        Assert.Contains("HEADER_VALUE_INVALID", Rules(Ok(Answers.AuthzSet("x-user", "a\r\nx-admin: true"))));

    [Fact]
    public void Validate_RawValueOnly_ReportsIgnoredRawValue()
    {
        var option = Answers.AuthzSet("x-user", string.Empty);
        option.Header.RawValue = ByteString.CopyFromUtf8("alice");

        Assert.Contains("HEADER_RAW_VALUE_IGNORED", Rules(Ok(option)));
    }

    [Fact]
    public void Validate_RemoveHostOrPseudo_ReportsNotRemovable()
    {
        var response = Ok();
        response.OkResponse.HeadersToRemove.Add("host");
        response.OkResponse.HeadersToRemove.Add(":path");

        Assert.Equal(2, Rules(response).Count(r => r == "AUTHZ_REMOVE_NOT_ALLOWED"));
    }

    [Fact]
    public void Validate_AppendToPseudoHeader_ReportsPseudoSet()
    {
        var option = Answers.AuthzSet(":path", "/x");
        option.Append = true;
        option.AppendAction = HeaderValueOption.Types.HeaderAppendAction.AppendIfExistsOrAdd;

        Assert.Contains("AUTHZ_PSEUDO_HEADER_SET", Rules(Ok(option)));
    }

    [Fact]
    public void Validate_DeniedResponseWithOkStatus_ReportsIgnoredDenial()
    {
        var response = new CheckResponse { Status = new Status(), DeniedResponse = new DeniedHttpResponse() };

        Assert.Contains("AUTHZ_DENIED_RESPONSE_ON_OK", Rules(response));
    }

    [Fact]
    public void Validate_OkResponseWithDenial_ReportsIgnoredOk()
    {
        var response = new CheckResponse { Status = new Status { Code = 7 }, OkResponse = new OkHttpResponse() };

        Assert.Contains("AUTHZ_OK_RESPONSE_ON_DENIAL", Rules(response));
    }

    [Fact]
    public void Validate_DeniedStatus100_ReportsInvalidStatus()
    {
        var denied = new DeniedHttpResponse { Status = new HttpStatus { Code = StatusCode.Continue } };

        Assert.Contains("AUTHZ_DENIED_STATUS_INVALID", Rules(new CheckResponse { Status = new Status { Code = 7 }, DeniedResponse = denied }));
    }
}

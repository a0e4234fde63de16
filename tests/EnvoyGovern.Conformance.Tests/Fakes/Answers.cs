using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Kind = Envoy.Service.ExtProc.V3.ProcessingRequest.RequestOneofCase;

namespace EnvoyGovern.Conformance.Tests.Fakes;

/// <summary>Correct (and deliberately wrong) processor answers.</summary>
public static class Answers
{
    /// <summary>A HeaderValueOption as a careful processor writes it: raw_value, append and append_action consistent.</summary>
    public static HeaderValueOption Set(string name, string value) => new()
    {
        Header = new HeaderValue { Key = name, RawValue = ByteString.CopyFromUtf8(value) },
        Append = false,
        AppendAction = HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExistsOrAdd,
    };

    /// <summary>The same for ext_authz, which reads value.</summary>
    public static HeaderValueOption AuthzSet(string name, string value) => new()
    {
        Header = new HeaderValue { Key = name, Value = value },
        Append = false,
        AppendAction = HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExistsOrAdd,
    };

    /// <summary>A plain CONTINUE of the matching kind.</summary>
    public static ProcessingResponse Continue(ProcessingRequest request, CommonResponse? common = null)
    {
        common ??= new CommonResponse();
        return request.RequestCase switch
        {
            Kind.RequestHeaders => new() { RequestHeaders = new HeadersResponse { Response = common } },
            Kind.ResponseHeaders => new() { ResponseHeaders = new HeadersResponse { Response = common } },
            Kind.RequestBody => new() { RequestBody = new BodyResponse { Response = common } },
            Kind.ResponseBody => new() { ResponseBody = new BodyResponse { Response = common } },
            Kind.RequestTrailers => new() { RequestTrailers = new TrailersResponse() },
            _ => new() { ResponseTrailers = new TrailersResponse() },
        };
    }

    public static CommonResponse WithHeaders(params HeaderValueOption[] set)
    {
        var mutation = new HeaderMutation();
        mutation.SetHeaders.AddRange(set);
        return new CommonResponse { HeaderMutation = mutation };
    }

    public static CommonResponse WithBody(string body) =>
        new() { BodyMutation = new BodyMutation { Body = ByteString.CopyFromUtf8(body) } };
}

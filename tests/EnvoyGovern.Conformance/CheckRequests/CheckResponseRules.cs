using Envoy.Service.Auth.V3;
using EnvoyGovern.Conformance.Headers;

namespace EnvoyGovern.Conformance.CheckRequests;

/// <summary>
/// Judges a <see cref="CheckResponse"/> the way Envoy's ext_authz gRPC client and filter read it
/// (<c>ext_authz_grpc_impl.cc</c>, <c>ext_authz.cc</c>). Everything Envoy rejects, ignores or
/// misreads is a violation.
/// </summary>
public static class CheckResponseRules
{
    /// <summary>Returns every violation in <paramref name="response"/>; empty when Envoy would apply it as meant.</summary>
    public static IReadOnlyList<ConformanceViolation> Validate(CheckResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var violations = new List<ConformanceViolation>();
        if (response.Status is null)
        {
            violations.Add(new("AUTHZ_STATUS_MISSING", "No status: Envoy reads code 0 and ALLOWS the request."));
        }

        var ok = (response.Status?.Code ?? 0) == 0;
        if (ok)
        {
            CheckOk(response, violations);
        }
        else
        {
            CheckDenied(response, violations);
        }

        return violations;
    }

    private static void CheckOk(CheckResponse response, List<ConformanceViolation> violations)
    {
        if (response.DeniedResponse is not null)
        {
            violations.Add(new("AUTHZ_DENIED_RESPONSE_ON_OK", "denied_response with status OK: Envoy ignores it and allows."));
        }

        if (response.OkResponse is not { } ok)
        {
            return;
        }

        foreach (var option in ok.Headers)
        {
            HeaderValueOptionRules.Check(option, "ok_response.headers", HeaderValueSource.Value, violations);
            AuthzHeaderNames.CheckUpstreamSet(option, violations);
        }

        foreach (var option in ok.ResponseHeadersToAdd)
        {
            HeaderValueOptionRules.Check(option, "ok_response.response_headers_to_add", HeaderValueSource.Value, violations);
            AuthzHeaderNames.CheckNoPseudo(option, "ok_response.response_headers_to_add", violations);
        }

        foreach (var name in ok.HeadersToRemove)
        {
            AuthzHeaderNames.CheckRemoval(name, violations);
        }

        foreach (var parameter in ok.QueryParametersToSet)
        {
            if (string.IsNullOrEmpty(parameter.Key))
            {
                violations.Add(new("AUTHZ_QUERY_PARAMETER_EMPTY_KEY", "query_parameters_to_set has an empty key."));
            }
        }

        if (ok.DynamicMetadata is not null)
        {
            violations.Add(new("AUTHZ_OK_DYNAMIC_METADATA_DEPRECATED",
                "ok_response.dynamic_metadata is deprecated and replaces CheckResponse.dynamic_metadata; use the latter."));
        }
    }

    private static void CheckDenied(CheckResponse response, List<ConformanceViolation> violations)
    {
        if (response.OkResponse is not null)
        {
            violations.Add(new("AUTHZ_OK_RESPONSE_ON_DENIAL", "ok_response with a non-OK status: Envoy ignores it and denies."));
        }

        if (response.DeniedResponse is not { } denied)
        {
            return;
        }

        if (denied.Status is { } status)
        {
            var code = (int)status.Code;
            if (code == 0)
            {
                violations.Add(new("AUTHZ_DENIED_STATUS_EMPTY", "denied_response.status has code 0: Envoy answers 403 instead."));
            }
            else if (!Enum.IsDefined(status.Code) || code < 200)
            {
                violations.Add(new("AUTHZ_DENIED_STATUS_INVALID", $"denied_response.status {code} is not a valid final HTTP status."));
            }
        }

        foreach (var option in denied.Headers)
        {
            HeaderValueOptionRules.Check(option, "denied_response.headers", HeaderValueSource.Value, violations);
            AuthzHeaderNames.CheckNoPseudo(option, "denied_response.headers", violations);
        }
    }
}

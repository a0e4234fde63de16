using EnvoyGovern.ExtAuthz.Decisions;

namespace EnvoyGovern.ExtAuthz.Authorization;

/// <summary>
/// Checks that a CheckRequest has what Envoy's HTTP ext_authz filter always sends. Anything less is not
/// a request we can govern, so it gets INVALID_ARGUMENT with the missing part named.
/// </summary>
internal static class CheckRequestValidator
{
    public static string? FindProblem(CheckRequestView request)
    {
        var http = request.Http;
        if (http is null)
        {
            return "CheckRequest.attributes.request.http is missing; only HTTP ext_authz requests are governed";
        }

        if (string.IsNullOrEmpty(http.Method))
        {
            return "CheckRequest.attributes.request.http.method is empty";
        }

        // CONNECT has no :path; every other method does.
        if (string.IsNullOrEmpty(http.Path) && !string.Equals(http.Method, "CONNECT", StringComparison.Ordinal))
        {
            return "CheckRequest.attributes.request.http.path is empty";
        }

        return null;
    }
}

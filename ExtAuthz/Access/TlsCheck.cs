using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>
/// Plain-HTTP requests to hosts that require TLS get a redirect to https or a denial. Envoy reports the
/// scheme of its own listener; <c>x-forwarded-proto</c> counts only from proxies the policy trusts
/// (a TLS-terminating balancer in front of Envoy), since any client can send it.
/// </summary>
internal static class TlsCheck
{
    public static Decision? Evaluate(IReadOnlyList<CompiledDocument> documents, CheckContext context, RequestAttributes request)
    {
        foreach (var document in documents)
        {
            if (document.Tls is not { } tls || !tls.Covers(request.Host) || IsTls(context, request, tls))
            {
                continue;
            }

            if (tls.Action == TlsAction.Deny)
            {
                return Denials.Deny(403, "tls_required", $"Host '{request.Host}' accepts only HTTPS.");
            }

            var location = $"https://{context.Http.Host}{context.Http.Path}";
            return Denials.Deny(tls.RedirectStatus, "tls_redirect", "Use HTTPS.", [new("location", location)]);
        }

        return null;
    }

    private static bool IsTls(CheckContext context, RequestAttributes request, CompiledTls tls) =>
        string.Equals(context.Http.Scheme, "https", StringComparison.OrdinalIgnoreCase)
        || (tls.TrustsForwardedProto(request.Source) && string.Equals(context.GetHeader("x-forwarded-proto"), "https", StringComparison.OrdinalIgnoreCase));
}

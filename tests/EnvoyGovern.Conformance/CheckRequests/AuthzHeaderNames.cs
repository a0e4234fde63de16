using Envoy.Config.Core.V3;
using EnvoyGovern.Conformance.Headers;

namespace EnvoyGovern.Conformance.CheckRequests;

/// <summary>Which header names an ext_authz answer may touch.</summary>
internal static class AuthzHeaderNames
{
    // Request pseudo-headers Envoy lets ext_authz overwrite (e.g. rewriting :path); appending to
    // them would produce a second, invalid value.
    private static readonly HashSet<string> OverwritablePseudo = [":path", ":authority", ":method", ":scheme"];

    public static void CheckUpstreamSet(HeaderValueOption option, List<ConformanceViolation> violations)
    {
        var name = option.Header?.Key.ToLowerInvariant();
        if (name is null || !HeaderRules.IsPseudo(name))
        {
            return;
        }

        var overwrite = option.Append == false
            || option.AppendAction == HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExistsOrAdd;
        if (!OverwritablePseudo.Contains(name) || !overwrite)
        {
            violations.Add(new("AUTHZ_PSEUDO_HEADER_SET",
                $"ok_response.headers: '{name}' may only be overwritten, and only :path, :authority, :method, :scheme."));
        }
    }

    public static void CheckNoPseudo(HeaderValueOption option, string where, List<ConformanceViolation> violations)
    {
        var name = option.Header?.Key;
        if (name is not null && HeaderRules.IsPseudo(name))
        {
            violations.Add(new("AUTHZ_PSEUDO_HEADER_SET", $"{where}: pseudo-header '{name}' cannot be set here."));
        }
    }

    public static void CheckRemoval(string name, List<ConformanceViolation> violations)
    {
        if (!HeaderRules.IsValidName(name))
        {
            violations.Add(new("HEADER_NAME_INVALID", $"headers_to_remove: '{name}' is not a valid header name."));
        }
        else if (!HeaderRules.IsRemovable(name))
        {
            violations.Add(new("AUTHZ_REMOVE_NOT_ALLOWED",
                $"headers_to_remove: Envoy never removes '{name}' (pseudo-headers and host); it is skipped."));
        }
    }
}

using Envoy.Config.Core.V3;
using EnvoyGovern.Governance.Envoy;

namespace EnvoyGovern.ExtProc.Inspection;

/// <summary>Looks up headers in what Envoy sent.</summary>
public static class HeaderMaps
{
    /// <summary>The value of the first header named <paramref name="name"/> (lower-case, as Envoy sends names), or null.</summary>
    public static string? Find(this HeaderMap headers, string name)
    {
        ArgumentNullException.ThrowIfNull(headers);
        // By index: RepeatedField's enumerator is an allocation per loop.
        var all = headers.Headers;
        for (var i = 0; i < all.Count; i++)
        {
            var header = all[i];
            if (header.Key == name)
            {
                return header.Text();
            }
        }

        return null;
    }
}

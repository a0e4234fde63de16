using Envoy.Config.Core.V3;

namespace EnvoyGovern.Governance.Envoy;

/// <summary>Reads a header Envoy sent, whichever field it used.</summary>
public static class HeaderValueText
{
    /// <summary>
    /// The value as text: <c>raw_value</c> (UTF-8) when set, as Envoy sends it with
    /// <c>encode_raw_headers</c> (the default since 1.31), else <c>value</c>.
    /// </summary>
    public static string Text(this HeaderValue header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return header.RawValue.IsEmpty ? header.Value : header.RawValue.ToStringUtf8();
    }
}

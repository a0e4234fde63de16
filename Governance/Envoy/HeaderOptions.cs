using System.Text;
using Envoy.Config.Core.V3;
using Google.Protobuf;

namespace EnvoyGovern.Governance.Envoy;

/// <summary>
/// Builds <see cref="HeaderValueOption"/>s with the append behaviour spelled out. Envoy changed the
/// default meaning of an unset <c>append</c> across versions; when <c>append</c> is present it takes
/// precedence over <c>append_action</c>, so both are set and always agree.
/// </summary>
public static class HeaderOptions
{
#pragma warning disable CS0612 // `append` is deprecated in the API but still read first by Envoy: it must be set.
    /// <summary>Replaces any value the header had (also one a client sent), or adds it.</summary>
    public static HeaderValueOption Overwrite(string name, string value) => new()
    {
        Header = new HeaderValue { Key = name, Value = value },
        Append = false,
        AppendAction = HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExistsOrAdd,
    };

    /// <summary>Adds one more value, creating the header if absent.</summary>
    public static HeaderValueOption Append(string name, string value) => new()
    {
        Header = new HeaderValue { Key = name, Value = value },
        Append = true,
        AppendAction = HeaderValueOption.Types.HeaderAppendAction.AppendIfExistsOrAdd,
    };

    /// <summary>
    /// Ext_proc form of <see cref="Overwrite"/>: the value travels in <c>raw_value</c>, as Envoy sends
    /// and expects it there (never both <c>value</c> and <c>raw_value</c>).
    /// </summary>
    public static HeaderValueOption OverwriteRaw(string name, string value) => new()
    {
        Header = new HeaderValue { Key = name, RawValue = ByteString.CopyFrom(value, Encoding.UTF8) },
        Append = false,
        AppendAction = HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExistsOrAdd,
    };
#pragma warning restore CS0612
}

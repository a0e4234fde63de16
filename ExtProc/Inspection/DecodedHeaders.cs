using Envoy.Config.Core.V3;
using EnvoyGovern.Governance.Envoy;

namespace EnvoyGovern.ExtProc.Inspection;

/// <summary>
/// The request headers' values as text (<see cref="HeaderValueText.Text"/>), each decoded on its first read and then
/// shared by every reader of the exchange (the audit facts, the WAF, the content gate, model governance) instead of
/// decoded by each: <c>:path</c> was decoded five times per exchange, <c>user-agent</c> or <c>traceparent</c> twice.
/// </summary>
internal sealed class DecodedHeaders
{
    private readonly string?[] _texts;
    private readonly int _method = -1;
    private readonly int _authority = -1;
    private readonly int _path = -1;

    public DecodedHeaders(HeaderMap headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        Headers = headers;
        // By index: RepeatedField's enumerator is an allocation per loop.
        var all = headers.Headers;
        _texts = all.Count == 0 ? [] : new string?[all.Count];
        for (var i = 0; i < all.Count; i++)
        {
            switch (all[i].Key)
            {
                case ":method":
                    _method = i;
                    break;
                case ":authority":
                    _authority = i;
                    break;
                case ":path":
                    _path = i;
                    break;
            }
        }
    }

    /// <summary>The header map these values belong to (the cache's key).</summary>
    public HeaderMap Headers { get; }

    /// <summary><c>:method</c> (the last one), or null.</summary>
    public string? Method => _method < 0 ? null : Text(_method);

    /// <summary><c>:authority</c> (the last one), or null.</summary>
    public string? Authority => _authority < 0 ? null : Text(_authority);

    /// <summary><c>:path</c> (the last one), or null.</summary>
    public string? Path => _path < 0 ? null : Text(_path);

    /// <summary>The value of the first header named <paramref name="name"/>, or null (as <see cref="HeaderMaps.Find"/>).</summary>
    public string? Find(string name)
    {
        var all = Headers.Headers;
        for (var i = 0; i < all.Count; i++)
        {
            if (all[i].Key == name)
            {
                return Text(i);
            }
        }

        return null;
    }

    /// <summary>The value of the header at <paramref name="index"/> in <see cref="Headers"/>.</summary>
    public string Text(int index) => _texts[index] ??= Headers.Headers[index].Text();
}

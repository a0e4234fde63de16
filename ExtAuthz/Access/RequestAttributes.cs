using System.Net;
using EnvoyGovern.ExtAuthz.Identity;

namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>What the rules can see of one request, computed once per Check.</summary>
internal sealed class RequestAttributes
{
    public required string Host { get; init; }

    public required string Method { get; init; }

    /// <summary>Path without the query string.</summary>
    public required string Path { get; init; }

    private IPAddress? _source;
    private string? _sourceText;

    /// <summary>
    /// The peer's address: set directly, or parsed from <see cref="SourceText"/> when first read (most policies
    /// never look at it, and a Check need not pay the parse).
    /// </summary>
    public IPAddress? Source
    {
        get
        {
            if (_sourceText is { } text)
            {
                _source = IPAddress.TryParse(text, out var address) ? address : null;
                _sourceText = null;
            }

            return _source;
        }

        init => (_source, _sourceText) = (value, null);
    }

    /// <summary>The peer's address as Envoy sent it (<c>source.address.socket_address.address</c>), parsed on first use.</summary>
    public string? SourceText
    {
        get => _sourceText ?? _source?.ToString();
        init => (_source, _sourceText) = (null, value);
    }

    public CallerIdentity? Identity { get; set; }

    public string? Region { get; set; }

    public string? Model { get; set; }

    public string? ModelVersion { get; set; }

    /// <summary>True when the client named a version id, so no canary may replace the version.</summary>
    public bool ModelVersionPinned { get; set; }

    /// <summary>Clusters and canaries of the model, when it is routed by cluster.</summary>
    public Canary.ModelRouting? Routing { get; set; }

    public required DateTimeOffset Now { get; init; }

    public required IReadOnlyDictionary<string, string> ContextExtensions { get; init; }
}

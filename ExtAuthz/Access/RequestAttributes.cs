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

    public IPAddress? Source { get; init; }

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

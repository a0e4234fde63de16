using Envoy.Service.Auth.V3;
using EnvoyGovern.ExtAuthz.Identity;

namespace EnvoyGovern.ExtAuthz.Decisions;

/// <summary>What the steps see of one Check call, and what they add to an allowed request.</summary>
public sealed class CheckContext
{
    // Sized for what an allowed decision adds (identity and model headers, rule and region metadata),
    // so the lists never grow during a Check.
    private const int ExpectedEntries = 8;

    private List<KeyValuePair<string, string>>? _upstreamHeaders;
    private List<string>? _removeHeaders;
    private List<KeyValuePair<string, string>>? _metadata;

    /// <summary>Creates the context for a request already known to be well formed (it has <c>attributes.request.http</c>).</summary>
    public CheckContext(CheckRequestView request, string decisionId, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        Request = request;
        Http = request.Http ?? throw new ArgumentException("the request has no attributes.request.http", nameof(request));
        DecisionId = decisionId;
        ReceivedAt = receivedAt;
    }

    /// <summary>Creates the context for a request built in code (tests, the policy test runner), read from its bytes as the service reads a call.</summary>
    public CheckContext(CheckRequest request, string decisionId, DateTimeOffset receivedAt)
        : this(CheckRequestView.From(request), decisionId, receivedAt)
    {
    }

    /// <summary>The request as Envoy sent it.</summary>
    public CheckRequestView Request { get; }

    /// <summary>Shortcut to <c>attributes.request.http</c>.</summary>
    public HttpRequestView Http { get; }

    /// <summary>Unique id of this decision, returned to Envoy and written to the audit record.</summary>
    public string DecisionId { get; }

    /// <summary>When the call arrived.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>Headers that an allowed request carries to the upstream.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> UpstreamHeaders => _upstreamHeaders ?? (IReadOnlyList<KeyValuePair<string, string>>)[];

    /// <summary>Version of the policy the decision used, once a policy step ran.</summary>
    public string? PolicyVersion { get; set; }

    /// <summary>Who is calling, once an identity source established it (for the audit record).</summary>
    public CallerIdentity? Identity { get; set; }

    /// <summary>The model the request asks for, once resolved (for the audit record).</summary>
    public string? Model { get; set; }

    /// <summary>The model version the request asks for, once resolved (for the audit record).</summary>
    public string? ModelVersion { get; set; }

    /// <summary>Headers to strip from an allowed request (those a client must not be able to forge).</summary>
    public IReadOnlyList<string> RemovedUpstreamHeaders => _removeHeaders ?? (IReadOnlyList<string>)[];

    /// <summary>Extra fields for <c>dynamic_metadata</c> (access logs, later filters) and the audit record.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Metadata => _metadata ?? (IReadOnlyList<KeyValuePair<string, string>>)[];

    /// <summary>Strips <paramref name="name"/> from the upstream request if the request is allowed.</summary>
    public void RemoveUpstreamHeader(string name) => (_removeHeaders ??= new(ExpectedEntries)).Add(name);

    /// <summary>Adds a field to <c>dynamic_metadata</c>.</summary>
    public void SetMetadata(string key, string value) => (_metadata ??= new(ExpectedEntries)).Add(new KeyValuePair<string, string>(key, value));

    /// <summary>Asks for a header on the upstream request if the request is allowed (replacing the client's).</summary>
    public void SetUpstreamHeader(string name, string value) =>
        (_upstreamHeaders ??= new(ExpectedEntries)).Add(new KeyValuePair<string, string>(name, value));

    /// <summary>
    /// Looks up a request header by its lower-case name, from <c>headers</c> or, when Envoy is set to
    /// <c>encode_raw_headers</c>, from <c>header_map</c> (repeated headers joined with a comma, as Envoy does).
    /// </summary>
    public string? GetHeader(string lowerCaseName) => Http.GetHeader(lowerCaseName);
}

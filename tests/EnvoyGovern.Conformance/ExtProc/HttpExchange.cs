namespace EnvoyGovern.Conformance.ExtProc;

/// <summary>
/// One HTTP request and the upstream's response, as they reach the ext_proc filter. Header names
/// include pseudo-headers; the driver lower-cases them as Envoy does.
/// </summary>
public sealed record HttpExchange
{
    /// <summary>Request headers, pseudo-headers first.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> RequestHeaders { get; init; } = [];

    /// <summary>Request body chunks in arrival order; empty when the request has no body.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> RequestBody { get; init; } = [];

    /// <summary>Request trailers; null when there are none.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? RequestTrailers { get; init; }

    /// <summary>Response headers, <c>:status</c> first.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders { get; init; } = [];

    /// <summary>Response body chunks in arrival order.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> ResponseBody { get; init; } = [];

    /// <summary>Response trailers; null when there are none.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? ResponseTrailers { get; init; }

    /// <summary>
    /// A request as Envoy's connection manager hands it to filters (with <c>x-forwarded-proto</c> and
    /// <c>x-request-id</c> added) and a plain response with <paramref name="status"/>.
    /// </summary>
    public static HttpExchange Create(string method = "GET", string path = "/", string authority = "example.com", int status = 200) => new()
    {
        RequestHeaders =
        [
            new(":authority", authority), new(":path", path), new(":method", method), new(":scheme", "https"),
            new("user-agent", "conformance/1.0"), new("x-forwarded-proto", "https"),
            new("x-request-id", "6f1c2d8e-0b7a-4c1e-9d2f-3a4b5c6d7e8f"),
        ],
        ResponseHeaders = [new(":status", status.ToString(System.Globalization.CultureInfo.InvariantCulture))],
    };
}

namespace EnvoyGovern.Cli.PolicyTesting;

/// <summary>A request as a test file describes it; <see cref="CheckRequestBuilder"/> turns it into what Envoy sends.</summary>
internal sealed record TestRequest
{
    public string Method { get; init; } = "GET";

    /// <summary>The raw request target, query string included.</summary>
    public string Path { get; init; } = "/";

    /// <summary><c>:authority</c>, port included when the client sent one.</summary>
    public required string Host { get; init; }

    public string Scheme { get; init; } = "https";

    public string Protocol { get; init; } = "HTTP/1.1";

    /// <summary>The downstream peer address (the socket Envoy saw, not X-Forwarded-For).</summary>
    public string Source { get; init; } = "127.0.0.1";

    /// <summary>Peer certificate identity, set by Envoy only for mTLS connections.</summary>
    public string? Principal { get; init; }

    /// <summary>Request headers; names are lower-cased as Envoy reports them.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The buffered body (<c>with_request_body</c>); null when Envoy sends none.</summary>
    public string? Body { get; init; }

    public IReadOnlyDictionary<string, string> ContextExtensions { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Dynamic metadata of earlier filters that Envoy forwards (<c>metadata_context.filter_metadata</c>),
    /// such as the payload jwt_authn verified, by filter name.
    /// </summary>
    public IReadOnlyDictionary<string, Google.Protobuf.WellKnownTypes.Struct> Metadata { get; init; } = new Dictionary<string, Google.Protobuf.WellKnownTypes.Struct>();
}

/// <summary>What a test expects of the decision; null members are not checked.</summary>
internal sealed record TestExpectation
{
    /// <summary><c>allow</c> or <c>deny</c>.</summary>
    public required string Decision { get; init; }

    public int? Status { get; init; }

    public string? Reason { get; init; }

    /// <summary>
    /// Headers that must be set: upstream headers on allow, response headers on deny. A value of
    /// <c>*</c> only asks for presence; a null value asks for absence.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Headers { get; init; } = [];
}

/// <summary>An upstream response for an ExtProc test: what the model API answers.</summary>
internal sealed record TestResponse
{
    public int Status { get; init; } = 200;

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public string? Body { get; init; }
}

/// <summary>What an ExtProc test expects beyond the decision: the bodies as forwarded, and findings.</summary>
internal sealed record InspectionExpectation
{
    /// <summary>The request body the upstream receives; null is not checked.</summary>
    public string? RequestBody { get; init; }

    /// <summary>The response body the client receives; null is not checked.</summary>
    public string? ResponseBody { get; init; }

    /// <summary>Rule ids the audit record must list (<c>pii.email</c>, <c>pi.override</c>).</summary>
    public IReadOnlyList<string> Findings { get; init; } = [];
}

/// <summary>
/// The ExtProc part of a test (<c>service: extproc</c>): the exchange goes through the inspectors as
/// Envoy's ext_proc filter sends it in BUFFERED mode, with the upstream's <see cref="Response"/>.
/// </summary>
internal sealed record InspectionTest(TestResponse? Response, InspectionExpectation Expect);

/// <summary>One test of a test file.</summary>
/// <param name="Name">Unique within the file; printed in PASS/FAIL lines.</param>
/// <param name="File">Test file name, for messages.</param>
/// <param name="Line">1-based line of the test, for messages.</param>
/// <param name="Request">The request.</param>
/// <param name="Expect">The expected decision.</param>
/// <param name="Time">A fixed clock for this test; null runs on the system clock.</param>
/// <param name="Repeat">How often the request is sent; the expectation applies to the last answer (quota bursts).</param>
/// <param name="Inspection">Set for an ExtProc test; null for an ExtAuthz decision.</param>
internal sealed record PolicyTestCase(string Name, string File, int Line, TestRequest Request, TestExpectation Expect, DateTimeOffset? Time, int Repeat, InspectionTest? Inspection = null);

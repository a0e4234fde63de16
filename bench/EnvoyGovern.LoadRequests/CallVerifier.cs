using System.Net;
using System.Net.Http.Headers;
using Envoy.Service.Auth.V3;
using Envoy.Service.ExtProc.V3;
using ResponseKind = Envoy.Service.ExtProc.V3.ProcessingResponse.ResponseOneofCase;
using RequestKind = Envoy.Service.ExtProc.V3.ProcessingRequest.RequestOneofCase;

namespace EnvoyGovern.LoadRequests;

/// <summary>
/// Sends a request file exactly as h2load does (one HTTP/2 POST over cleartext, <c>content-type:
/// application/grpc</c>, <c>te: trailers</c>) and checks the answer. h2load counts an HTTP 200 as a success,
/// but a gRPC failure is an HTTP 200 too, with the error in the <c>grpc-status</c> trailer: this is what
/// tells the harness that the calls it times are the calls it means.
/// </summary>
internal static class CallVerifier
{
    /// <summary>A client for <see cref="VerifyAsync"/> (which asks for HTTP/2 with prior knowledge, as h2load connects).</summary>
    public static HttpClient CreateClient() => new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Problems with the answer to <paramref name="body"/>; empty when it is what the harness intends.</summary>
    /// <param name="client">From <see cref="CreateClient"/>.</param>
    /// <param name="address">The gRPC listener, such as <c>http://127.0.0.1:9001</c>.</param>
    /// <param name="call">What was sent.</param>
    /// <param name="body">The request body (the call's file).</param>
    /// <param name="baseline">
    /// True for the bare baseline, whose constant answers carry no decision: only the status and the answers'
    /// kinds are checked.
    /// </param>
    public static async Task<List<string>> VerifyAsync(HttpClient client, Uri address, LoadCall call, byte[] body, bool baseline)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(call);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, call.GrpcPath))
        {
            Content = new ByteArrayContent(body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        using var response = await client.SendAsync(request);
        var answer = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return [$"HTTP {(int)response.StatusCode}"];
        }

        // A trailers-only answer (an error before any message) carries the status in the headers.
        var status = Header(response.TrailingHeaders, "grpc-status") ?? Header(response.Headers, "grpc-status");
        if (status != "0")
        {
            var message = Header(response.TrailingHeaders, "grpc-message") ?? Header(response.Headers, "grpc-message");
            return [$"grpc-status {status ?? "missing"}: {Uri.UnescapeDataString(message ?? string.Empty)}"];
        }

        var sent = GrpcFrames.Decode(body);
        var received = GrpcFrames.Decode(answer);
        return call.Api == CallApi.Check
            ? CheckProblems(call, received, baseline)
            : ExtProcProblems(call, [.. sent.Select(ProcessingRequest.Parser.ParseFrom)], [.. received.Select(ProcessingResponse.Parser.ParseFrom)], baseline);
    }

    private static List<string> CheckProblems(LoadCall call, List<byte[]> received, bool baseline)
    {
        if (received.Count != 1)
        {
            return [$"{received.Count} CheckResponses, expected one"];
        }

        var response = CheckResponse.Parser.ParseFrom(received[0]);
        var problems = new List<string>();
        if (response.Status?.Code != 0 || response.HttpResponseCase != CheckResponse.HttpResponseOneofCase.OkResponse)
        {
            problems.Add($"denied: status {response.Status?.Code}, HTTP {response.DeniedResponse?.Status?.Code}, reason {Field(response, "reason")}");
        }

        if (baseline)
        {
            return problems;
        }

        if (call.ExpectedRule is { } rule && Field(response, "rule") != rule)
        {
            problems.Add($"allowed by rule '{Field(response, "rule")}', expected '{rule}'");
        }

        if (call.ExpectCanaryChoice && Field(response, "canary_reason") is null)
        {
            problems.Add("no canary choice in the decision (dynamic_metadata has no canary_reason)");
        }

        return problems;
    }

    // One answer per message, of the message's kind; an immediate response means the exchange was rejected.
    private static List<string> ExtProcProblems(LoadCall call, List<ProcessingRequest> sent, List<ProcessingResponse> received, bool baseline)
    {
        var problems = new List<string>();
        if (received.FirstOrDefault(r => r.ResponseCase == ResponseKind.ImmediateResponse) is { } immediate)
        {
            problems.Add($"immediate response HTTP {immediate.ImmediateResponse.Status?.Code}: {immediate.ImmediateResponse.Details} {immediate.ImmediateResponse.Body.ToStringUtf8()}");
        }

        if (received.Count != sent.Count)
        {
            problems.Add($"{received.Count} ProcessingResponses to {sent.Count} ProcessingRequests");
            return problems;
        }

        for (var i = 0; i < sent.Count; i++)
        {
            var expected = Expected(sent[i].RequestCase);
            if (received[i].ResponseCase != expected)
            {
                problems.Add($"answer {i} is {received[i].ResponseCase}, expected {expected}");
            }
        }

        if (!baseline && call.ExpectInspection && problems.Count == 0)
        {
            problems.AddRange(InspectionProblems(sent, received));
        }

        return problems;
    }

    // What shows that the sample policy's content inspection (api.example.com, /v1/*) ran, not only the WAF:
    // prompt injection removes a client's copy of its score header from every request, and model governance
    // names the model it read from the body in envoygovern.genai. PII redaction and the token cap leave this
    // body as it is (no personal data, max_tokens under the cap), so an answer that changes it is wrong too.
    private static IEnumerable<string> InspectionProblems(List<ProcessingRequest> sent, List<ProcessingResponse> received)
    {
        const string scoreHeader = "x-governance-prompt-injection-score";
        if (received[0].RequestHeaders?.Response?.HeaderMutation?.RemoveHeaders.Contains(scoreHeader) != true)
        {
            yield return $"request headers answered without removing {scoreHeader}: prompt-injection inspection is off";
        }

        var bodyAt = sent.FindIndex(m => m.RequestCase == RequestKind.RequestBody);
        if (bodyAt < 0)
        {
            yield break;
        }

        var answer = received[bodyAt];
        var genAi = answer.DynamicMetadata?.Fields.TryGetValue("envoygovern.genai", out var value) == true ? value.StructValue : null;
        var model = genAi?.Fields.TryGetValue("model", out var named) == true ? named.StringValue : null;
        if (model != "gpt-4o")
        {
            yield return $"request body answered without envoygovern.genai model gpt-4o (got {model ?? "none"}): the body was not inspected";
        }

        if (answer.RequestBody.Response?.BodyMutation is not null)
        {
            yield return "request body answered with a body mutation: the body has nothing to redact or rewrite";
        }
    }

    private static ResponseKind Expected(RequestKind kind) => kind switch
    {
        RequestKind.RequestHeaders => ResponseKind.RequestHeaders,
        RequestKind.RequestBody => ResponseKind.RequestBody,
        RequestKind.RequestTrailers => ResponseKind.RequestTrailers,
        RequestKind.ResponseHeaders => ResponseKind.ResponseHeaders,
        RequestKind.ResponseBody => ResponseKind.ResponseBody,
        RequestKind.ResponseTrailers => ResponseKind.ResponseTrailers,
        _ => ResponseKind.None,
    };

    private static string? Field(CheckResponse response, string name) =>
        response.DynamicMetadata?.Fields.TryGetValue(name, out var value) == true ? value.StringValue : null;

    private static string? Header(System.Net.Http.Headers.HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}

using Envoy.Config.Core.V3;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.Governance.Envoy;

namespace EnvoyGovern.ExtProc.Audit;

/// <summary>How an ext_proc stream ended, for its audit record.</summary>
public enum ExchangeEnd
{
    /// <summary>Envoy half-closed the stream after the exchange: it passed.</summary>
    Completed = 0,

    /// <summary>An inspector rejected the exchange with an immediate response.</summary>
    Rejected = 1,

    /// <summary>Envoy broke the protocol; the stream failed.</summary>
    ProtocolViolation = 2,

    /// <summary>A dependency was unavailable; the stream failed closed.</summary>
    DependencyUnavailable = 3,

    /// <summary>An internal error; the stream failed closed.</summary>
    InternalError = 4,

    /// <summary>Envoy cancelled the stream (the client went away or a timeout passed).</summary>
    Cancelled = 5,
}

/// <summary>
/// What the audit record of one exchange needs from its headers, picked up as the headers pass (only the
/// named headers are kept: credentials never are).
/// </summary>
public sealed class ExchangeFacts(IReadOnlyList<string> allowedHeaders)
{
    private Dictionary<string, string>? _copied;

    /// <summary>Request pseudo-headers and the headers the record uses.</summary>
    public string? Method { get; private set; }

    /// <summary><c>:path</c>, with its query (redacted when written).</summary>
    public string? Path { get; private set; }

    /// <summary><c>:authority</c>.</summary>
    public string? Authority { get; private set; }

    /// <summary><c>:scheme</c>.</summary>
    public string? Scheme { get; private set; }

    /// <summary>W3C <c>traceparent</c>.</summary>
    public string? Traceparent { get; private set; }

    /// <summary><c>x-request-id</c>.</summary>
    public string? RequestId { get; private set; }

    /// <summary><c>user-agent</c>.</summary>
    public string? UserAgent { get; private set; }

    /// <summary>What ExtAuthz established and forwarded (<c>x-governance-*</c>), stripped from clients by ExtAuthz.</summary>
    public string? Tenant { get; private set; }

    /// <summary><c>x-governance-subject</c>.</summary>
    public string? Subject { get; private set; }

    /// <summary><c>x-governance-model</c>.</summary>
    public string? Model { get; private set; }

    /// <summary><c>x-governance-decision-id</c>: links the exchange to its ExtAuthz decision.</summary>
    public string? DecisionId { get; private set; }

    /// <summary><c>x-governance-policy-version</c>.</summary>
    public string? PolicyVersion { get; private set; }

    /// <summary><c>x-governance-cluster</c>: the canary cluster chosen.</summary>
    public string? CanaryCluster { get; private set; }

    /// <summary>The upstream's <c>:status</c>, or the immediate response's.</summary>
    public int? Status { get; private set; }

    /// <summary>Why an inspector rejected the exchange.</summary>
    public string? RejectReason { get; private set; }

    /// <summary>True when a rejection came after the response started, so its body was cut short instead.</summary>
    public bool WasCutShort { get; private set; }

    /// <summary>Allow-listed request headers.</summary>
    public IReadOnlyDictionary<string, string> Headers => (IReadOnlyDictionary<string, string>?)_copied ?? System.Collections.Frozen.FrozenDictionary<string, string>.Empty;

    /// <summary>Takes what the record needs from request or response headers.</summary>
    public void Observe(HttpDirection direction, HeaderMap? headers) => Observe(direction, headers, null);

    /// <summary>As <see cref="Observe(HttpDirection, HeaderMap?)"/>, the values decoded through <paramref name="decoded"/> (the exchange's shared texts).</summary>
    internal void Observe(HttpDirection direction, HeaderMap? headers, DecodedHeaders? decoded)
    {
        if (headers is null)
        {
            return;
        }

        decoded = decoded is not null && ReferenceEquals(decoded.Headers, headers) ? decoded : null;

        // A value is decoded only when the record keeps it: most headers (accept, content-type, credentials)
        // are not, and each decoded value is a string per header per exchange.
        // By index: RepeatedField's enumerator is an allocation per loop.
        var all = headers.Headers;
        for (var i = 0; i < all.Count; i++)
        {
            var header = all[i];
            if (direction == HttpDirection.Response)
            {
                if (header.Key == ":status" && int.TryParse(header.Text(), System.Globalization.CultureInfo.InvariantCulture, out var status))
                {
                    Status = status;
                }

                continue;
            }

            ObserveRequest(header, i, decoded);
        }
    }

    /// <summary>Records the immediate response that ended the exchange.</summary>
    public void Reject(ImmediateReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        Status = reply.HttpStatus is >= 200 and <= 599 ? reply.HttpStatus : 403;
        RejectReason = reply.Reason;
    }

    /// <summary>Records a rejection that could only cut the started response short (its status already went out).</summary>
    public void CutShort(ImmediateReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        WasCutShort = true;
        RejectReason = reply.Reason;
    }

    private void ObserveRequest(HeaderValue header, int index, DecodedHeaders? decoded)
    {
        var name = header.Key;
        string? value = null;
        switch (name)
        {
            case ":method":
                Method = value = Text(header, index, decoded);
                break;
            case ":path":
                Path = value = Text(header, index, decoded);
                break;
            case ":authority":
                Authority = value = Text(header, index, decoded);
                break;
            case ":scheme":
                Scheme = value = Text(header, index, decoded);
                break;
            case "traceparent":
                Traceparent = value = Text(header, index, decoded);
                break;
            case "x-request-id":
                RequestId = value = Text(header, index, decoded);
                break;
            case "user-agent":
                UserAgent = value = Text(header, index, decoded);
                break;
            case "x-governance-tenant":
                Tenant = value = Text(header, index, decoded);
                break;
            case "x-governance-subject":
                Subject = value = Text(header, index, decoded);
                break;
            case "x-governance-model":
                Model = value = Text(header, index, decoded);
                break;
            case "x-governance-decision-id":
                DecisionId = value = Text(header, index, decoded);
                break;
            case "x-governance-policy-version":
                PolicyVersion = value = Text(header, index, decoded);
                break;
            case "x-governance-cluster":
                CanaryCluster = value = Text(header, index, decoded);
                break;
        }

        for (var i = 0; i < allowedHeaders.Count; i++)
        {
            if (allowedHeaders[i] == name)
            {
                (_copied ??= new Dictionary<string, string>(StringComparer.Ordinal))[name] = value ??= Text(header, index, decoded);
            }
        }
    }

    private static string Text(HeaderValue header, int index, DecodedHeaders? decoded) => decoded?.Text(index) ?? header.Text();
}

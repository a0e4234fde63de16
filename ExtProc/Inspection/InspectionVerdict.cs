using System.Runtime.CompilerServices;
using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Envoy.Service.ExtProc.V3;

namespace EnvoyGovern.ExtProc.Inspection;

/// <summary>What an inspector wants done with the part it looked at.</summary>
public sealed record InspectionVerdict
{
    // Verdicts made once and returned for every exchange (a record is immutable): the answer to headers that carries one
    // is built once per direction too, instead of a response with its header mutation per exchange. Keyed by instance,
    // so a copy made with `with` is not one of them.
    private static readonly ConditionalWeakTable<InspectionVerdict, ProcessingResponse?[]> Constants = new();

    /// <summary>Let it pass unchanged.</summary>
    public static InspectionVerdict Continue { get; } = new();

    /// <summary>End the exchange here with this reply to the client.</summary>
    public ImmediateReply? Reject { get; init; }

    /// <summary>Headers (or trailers) to set, replacing existing values.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> SetHeaders { get; init; } = [];

    /// <summary>Headers (or trailers) to remove.</summary>
    public IReadOnlyList<string> RemoveHeaders { get; init; } = [];

    /// <summary>New content for the body chunk (or whole buffered body) that was inspected.</summary>
    public ReadOnlyMemory<byte>? ReplaceBody { get; init; }

    /// <summary>
    /// On headers only: ask Envoy to send this direction's body in the given mode (a <c>mode_override</c>,
    /// honoured when the filter sets <c>allow_mode_override</c>).
    /// </summary>
    public ProcessingMode.Types.BodySendMode? BodyMode { get; init; }

    /// <summary>On request headers or body: headers that choose the route changed, so Envoy must route again.</summary>
    public bool ClearRouteCache { get; init; }

    /// <summary>
    /// Dynamic metadata for Envoy (later filters, access logs), keyed by namespace at the top level; the
    /// filter must list the namespace in <c>metadata_options.receiving_namespaces.untyped</c>.
    /// </summary>
    public Google.Protobuf.WellKnownTypes.Struct? DynamicMetadata { get; init; }

    /// <summary>Creates a rejection.</summary>
    public static InspectionVerdict Rejected(int httpStatus, string reason, string? body = null) =>
        new() { Reject = new ImmediateReply(httpStatus, reason, body) };

    /// <summary>Marks <paramref name="verdict"/> as one instance that an inspector returns for many exchanges.</summary>
    internal static InspectionVerdict Constant(InspectionVerdict verdict)
    {
        Constants.Add(verdict, new ProcessingResponse?[2]);
        return verdict;
    }

    /// <summary>For a <see cref="Constant"/> verdict, its answers to headers by direction (filled when first built); else null.</summary>
    internal static ProcessingResponse?[]? ConstantAnswers(InspectionVerdict verdict) =>
        Constants.TryGetValue(verdict, out var answers) ? answers : null;

    /// <summary>True when nothing is to be changed.</summary>
    public bool IsPassThrough =>
        Reject is null && SetHeaders.Count == 0 && RemoveHeaders.Count == 0 && ReplaceBody is null && BodyMode is null && !ClearRouteCache
        && DynamicMetadata is null;
}

/// <summary>A reply Envoy sends to the client instead of going on.</summary>
/// <param name="HttpStatus">HTTP status, 200 or more (Envoy rejects lower ones).</param>
/// <param name="Reason">Stable reason code, also returned as Envoy's response-code details.</param>
/// <param name="Body">Response body; a JSON error naming the reason when null.</param>
public sealed record ImmediateReply(int HttpStatus, string Reason, string? Body = null)
{
    /// <summary>Extra response headers.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
}

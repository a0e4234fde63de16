using Envoy.Config.Core.V3;

namespace EnvoyGovern.ExtProc.Inspection;

/// <summary>
/// Looks at one part of an HTTP exchange and says what to do with it (WAF, PII, prompt-injection and
/// token governance implement this). Inspectors run in registration order; the first rejection ends the
/// exchange with an immediate response. With no inspector registered, everything passes unchanged.
/// </summary>
public interface IInspector
{
    /// <summary>A short name, used in logs, metrics and audit findings.</summary>
    string Name { get; }

    /// <summary>Request or response headers.</summary>
    ValueTask<InspectionVerdict> OnHeadersAsync(InspectionContext context, HttpDirection direction, HeaderMap headers, bool endOfStream, CancellationToken cancellationToken);

    /// <summary>
    /// A body chunk (or, in buffered modes, the whole body). <paramref name="endOfBody"/> is true on the
    /// last chunk, including when the body ends because trailers follow.
    /// </summary>
    ValueTask<InspectionVerdict> OnBodyAsync(InspectionContext context, HttpDirection direction, ReadOnlyMemory<byte> chunk, bool endOfBody, CancellationToken cancellationToken);

    /// <summary>Request or response trailers.</summary>
    ValueTask<InspectionVerdict> OnTrailersAsync(InspectionContext context, HttpDirection direction, HeaderMap trailers, CancellationToken cancellationToken);
}

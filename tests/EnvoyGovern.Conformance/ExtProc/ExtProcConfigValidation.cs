using EnvoyGovern.Conformance.Wire;
using HeaderMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.HeaderSendMode;

namespace EnvoyGovern.Conformance.ExtProc;

/// <summary>Filter configs Envoy refuses to load; driving them would test nothing real.</summary>
internal static class ExtProcConfigValidation
{
    public static void Validate(ExtProcFilterConfig config)
    {
        if (config.ObservabilityMode)
        {
            throw new NotSupportedException("observability_mode sends without waiting for answers; the driver models only the default mode.");
        }

        var mode = config.ProcessingMode;
        if (mode.RequestBodyMode == ExtProcWire.FullDuplexStreamed && mode.RequestTrailerMode != HeaderMode.Send)
        {
            throw new ArgumentException("FULL_DUPLEX_STREAMED request body mode requires request_trailer_mode SEND.", nameof(config));
        }

        if (mode.ResponseBodyMode == ExtProcWire.FullDuplexStreamed && mode.ResponseTrailerMode != HeaderMode.Send)
        {
            throw new ArgumentException("FULL_DUPLEX_STREAMED response body mode requires response_trailer_mode SEND.", nameof(config));
        }

        if (config.BufferLimitBytes <= 0 || config.MessageTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("Buffer limit and message timeout must be positive.", nameof(config));
        }
    }
}

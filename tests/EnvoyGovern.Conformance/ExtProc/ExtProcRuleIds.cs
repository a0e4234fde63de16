namespace EnvoyGovern.Conformance.ExtProc;

/// <summary>Rule ids the ext_proc rules report, and how Envoy reacts to each.</summary>
public static class ExtProcRuleIds
{
#pragma warning disable CS1591 // The names say it; the reaction is in the sets below and in each Detail.
    public const string SpuriousMessage = "EXTPROC_SPURIOUS_MESSAGE";
    public const string StreamedResponseOutsideDuplex = "EXTPROC_STREAMED_RESPONSE_OUTSIDE_DUPLEX";
    public const string BodyMutationInDuplex = "EXTPROC_BODY_MUTATION_IN_DUPLEX";
    public const string ImmediateNotAllowed = "EXTPROC_IMMEDIATE_NOT_ALLOWED";
    public const string ImmediateStatusInvalid = "EXTPROC_IMMEDIATE_STATUS_INVALID";
    public const string ImmediateStatusMissing = "EXTPROC_IMMEDIATE_STATUS_MISSING";
    public const string MutationIgnored = "EXTPROC_MUTATION_IGNORED";
    public const string MutationFailed = "EXTPROC_MUTATION_FAILED";
    public const string ModeOverrideNotInHeaders = "EXTPROC_MODE_OVERRIDE_NOT_IN_HEADERS";
    public const string ModeOverrideIgnored = "EXTPROC_MODE_OVERRIDE_IGNORED";
    public const string ClearRouteCacheIgnored = "EXTPROC_CLEAR_ROUTE_CACHE_IGNORED";
    public const string ReplaceNotInHeaders = "EXTPROC_REPLACE_NOT_IN_HEADERS";
    public const string BodyMutationIgnored = "EXTPROC_BODY_MUTATION_IGNORED";
    public const string HeaderMutationIgnored = "EXTPROC_HEADER_MUTATION_IGNORED";
    public const string ContentLengthMismatch = "EXTPROC_CONTENT_LENGTH_MISMATCH";
    public const string ContentLengthIgnored = "EXTPROC_CONTENT_LENGTH_IGNORED";
    public const string TrailersNotImplemented = "EXTPROC_COMMON_TRAILERS_NOT_IMPLEMENTED";
    public const string OverrideTimeoutOutOfRange = "EXTPROC_OVERRIDE_TIMEOUT_OUT_OF_RANGE";
    public const string OverrideTimeoutRepeated = "EXTPROC_OVERRIDE_TIMEOUT_REPEATED";
    public const string OverrideWithResponse = "EXTPROC_OVERRIDE_TIMEOUT_WITH_RESPONSE";
    public const string MessageTimeout = "EXTPROC_MESSAGE_TIMEOUT";
    public const string Stalled = "EXTPROC_STALLED";
    public const string StreamError = "EXTPROC_STREAM_ERROR";
#pragma warning restore CS1591

    /// <summary>
    /// Out-of-order answers: Envoy counts a spurious message and answers 500, or with
    /// <c>failure_mode_allow</c> stops processing and lets the request through.
    /// </summary>
    public static readonly IReadOnlySet<string> Spurious = new HashSet<string>(StringComparer.Ordinal)
    {
        SpuriousMessage, StreamedResponseOutsideDuplex, BodyMutationInDuplex,
    };

    /// <summary>Invalid mutations: Envoy answers 500 whatever <c>failure_mode_allow</c> says.</summary>
    public static readonly IReadOnlySet<string> Errors = new HashSet<string>(StringComparer.Ordinal)
    {
        "HEADER_NAME_INVALID", "HEADER_VALUE_INVALID", "HEADER_VALUE_AND_RAW_VALUE", "HVO_APPEND_ACTION_INVALID",
        MutationFailed, ContentLengthMismatch,
    };
}

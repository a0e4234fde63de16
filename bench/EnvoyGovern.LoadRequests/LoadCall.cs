namespace EnvoyGovern.LoadRequests;

/// <summary>Which of Envoy's two gRPC APIs a call goes to.</summary>
internal enum CallApi
{
    /// <summary><c>envoy.service.auth.v3.Authorization/Check</c> (unary).</summary>
    Check,

    /// <summary><c>envoy.service.ext_proc.v3.ExternalProcessor/Process</c> (a bidi stream, sent as one request body).</summary>
    ExtProc,
}

/// <summary>
/// One kind of call the load harness sends: the request body in <see cref="File"/>, the policy directory the
/// service is started with, and what the service must answer (checked by <see cref="CallVerifier"/>).
/// </summary>
/// <param name="Name">Scenario name; the file is <c>{Name}.bin</c>.</param>
/// <param name="Api">The gRPC API.</param>
/// <param name="PolicyDirectory">Directory (beside the files) of the policy the service decides by.</param>
/// <param name="ExpectedRule">For Check: the rule that must allow it.</param>
/// <param name="ExpectCanaryChoice">For Check: the decision must include a canary choice (metadata <c>canary_reason</c>).</param>
/// <param name="ExpectInspection">
/// For ext_proc: the content inspection the sample policy turns on for the request's host and path ran (see
/// <see cref="CallVerifier"/>): prompt injection armed on the headers, and for a body, the body read by model
/// governance and passed unchanged (no personal data to redact, the token cap not exceeded).
/// </param>
internal sealed record LoadCall(string Name, CallApi Api, string PolicyDirectory, string? ExpectedRule = null, bool ExpectCanaryChoice = false, bool ExpectInspection = false)
{
    public string File => Name + ".bin";

    public string GrpcPath => Api == CallApi.Check
        ? "/envoy.service.auth.v3.Authorization/Check"
        : "/envoy.service.ext_proc.v3.ExternalProcessor/Process";
}

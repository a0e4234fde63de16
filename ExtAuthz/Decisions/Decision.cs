namespace EnvoyGovern.ExtAuthz.Decisions;

/// <summary>Whether the request may go on.</summary>
public enum DecisionOutcome
{
    /// <summary>The request continues to the upstream.</summary>
    Allow = 0,

    /// <summary>Envoy answers the client itself with the decision's status.</summary>
    Deny = 1,
}

/// <summary>The governance decision for one request, with the reason an auditor reads.</summary>
public sealed record Decision
{
    /// <summary>Allow or deny.</summary>
    public required DecisionOutcome Outcome { get; init; }

    /// <summary>A stable, machine-readable reason code (<c>allowed</c>, <c>quota_exceeded</c>, ...).</summary>
    public required string Reason { get; init; }

    /// <summary>A sentence that explains the decision to the caller and the auditor.</summary>
    public string? Message { get; init; }

    /// <summary>HTTP status Envoy returns on a denial (403 unless a step says otherwise).</summary>
    public int HttpStatus { get; init; } = 403;

    /// <summary>The step that decided; null when every step let the request pass.</summary>
    public string? DecidedBy { get; init; }

    /// <summary>Headers for the client's response on a denial (for example <c>www-authenticate</c>, <c>retry-after</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders { get; init; } = [];

    /// <summary>The decision that lets a request pass.</summary>
    public static Decision Allowed { get; } = new() { Outcome = DecisionOutcome.Allow, Reason = "allowed" };
}

namespace EnvoyGovern.Governance.Audit;

/// <summary>
/// Auditing could not accept a record within its budget and the overflow policy is to block: the decision
/// must fail closed (the gRPC layer maps this to UNAVAILABLE, so Envoy's failure_mode_allow applies).
/// </summary>
public sealed class AuditUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AuditUnavailableException()
    {
    }

    /// <summary>Creates the exception with a reason.</summary>
    public AuditUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a reason and cause.</summary>
    public AuditUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

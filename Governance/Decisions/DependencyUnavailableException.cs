namespace EnvoyGovern.Governance.Decisions;

/// <summary>
/// A dependency needed for the decision (quota store, key set, ...) cannot be reached. The services
/// turn it into gRPC UNAVAILABLE, so Envoy applies its fail-closed (or fail-open) setting.
/// </summary>
public sealed class DependencyUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DependencyUnavailableException()
    {
    }

    /// <summary>Creates the exception with a reason.</summary>
    public DependencyUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a reason and its cause.</summary>
    public DependencyUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

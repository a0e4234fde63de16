namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>
/// A policy part cannot be compiled (bad pattern, unreadable key file, algorithm not allowed ...).
/// Thrown while a policy version is built, so validation can report it with its place before any
/// request is decided by that policy.
/// </summary>
public sealed class PolicyCompilationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PolicyCompilationException()
    {
    }

    /// <summary>Creates the exception with a message and no path.</summary>
    public PolicyCompilationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause, without a path.</summary>
    public PolicyCompilationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for the policy element at <paramref name="path"/>.</summary>
    public PolicyCompilationException(string path, string message)
        : base(message)
    {
        Path = path;
    }

    /// <summary>Creates the exception for the policy element at <paramref name="path"/>, with its cause.</summary>
    public PolicyCompilationException(string path, string message, Exception innerException)
        : base(message, innerException)
    {
        Path = path;
    }

    /// <summary>JSON-pointer-like path of the offending element, such as <c>/spec/identity/0/jwt/jwks/url</c>.</summary>
    public string Path { get; } = string.Empty;
}

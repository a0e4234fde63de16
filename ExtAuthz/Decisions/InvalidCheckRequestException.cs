namespace EnvoyGovern.ExtAuthz.Decisions;

/// <summary>
/// The bytes of a Check call are not a CheckRequest (broken protobuf framing). The service answers
/// INVALID_ARGUMENT with the message, as for a request that lacks a part Envoy always sends.
/// </summary>
public sealed class InvalidCheckRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvalidCheckRequestException()
    {
    }

    /// <summary>Creates the exception with what is wrong.</summary>
    public InvalidCheckRequestException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with what is wrong and its cause.</summary>
    public InvalidCheckRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

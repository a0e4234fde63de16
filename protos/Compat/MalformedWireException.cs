namespace EnvoyGovern.Protos.Compat;

/// <summary>
/// Bytes that Google.Protobuf would reject, found by the strict span reader; the message names the fault (e.g.
/// "a field number of 0") and the caller says which message it was reading.
/// </summary>
public sealed class MalformedWireException : Exception
{
    /// <summary>A fault without a description.</summary>
    public MalformedWireException()
    {
    }

    /// <summary>A fault described by <paramref name="message"/>.</summary>
    public MalformedWireException(string message)
        : base(message)
    {
    }

    /// <summary>A fault described by <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    public MalformedWireException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace EnvoyGovern.ExtProc.Processing;

/// <summary>The client broke the ext_proc protocol (a message out of order, or an empty one).</summary>
internal sealed class ProtocolViolationException(string message, bool invalidArgument = false) : Exception(message)
{
    /// <summary>True when the message itself is malformed (INVALID_ARGUMENT) rather than out of order (FAILED_PRECONDITION).</summary>
    public bool InvalidArgument { get; } = invalidArgument;
}

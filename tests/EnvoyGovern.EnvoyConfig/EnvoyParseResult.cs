using Google.Protobuf;

namespace EnvoyGovern.EnvoyConfig;

/// <summary>The outcome of strictly parsing Envoy YAML into an Envoy API message.</summary>
/// <typeparam name="T">The message type the YAML was parsed as.</typeparam>
public sealed class EnvoyParseResult<T>
    where T : class, IMessage
{
    internal EnvoyParseResult(T? message, IReadOnlyList<string> errors, IReadOnlyList<string> anyTypes)
    {
        Message = message;
        Errors = errors;
        AnyTypes = anyTypes;
    }

    /// <summary>Gets the parsed message; <see langword="null"/> when the YAML could not be parsed at all.</summary>
    public T? Message { get; }

    /// <summary>Gets every problem found, each as "path: what is wrong"; empty when the YAML is valid.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>Gets the full names of the types unpacked from every <c>google.protobuf.Any</c>, in walk order.</summary>
    public IReadOnlyList<string> AnyTypes { get; }

    /// <summary>Gets a value indicating whether the YAML parsed with no error.</summary>
    public bool IsValid => Message is not null && Errors.Count == 0;
}

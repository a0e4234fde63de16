using System.Text.Json;
using Envoy.Config.Bootstrap.V3;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace EnvoyGovern.EnvoyConfig;

/// <summary>
/// Strict validation of Envoy YAML against Envoy's v3 API protos: unknown fields, unknown enum
/// values, unknown <c>@type</c>s and wrongly typed scalars are all errors.
/// </summary>
/// <remarks>
/// The YAML becomes JSON the way Envoy converts it (<see cref="EnvoyYamlToJson"/>), is explained
/// field by field with paths, then parsed by Google.Protobuf's <see cref="JsonParser"/> with unknown
/// fields refused and a registry of every Envoy type, and finally every Any is unpacked. What this
/// does not check: protoc-gen-validate rules (required fields, ranges) and cross references such as
/// cluster names, which only Envoy itself (<c>envoy --mode validate</c>) enforces. Enum names are
/// matched case-sensitively, stricter than Envoy.
/// </remarks>
public static class EnvoyYamlValidator
{
    private static readonly JsonParser _parser = new(
        JsonParser.Settings.Default
            .WithIgnoreUnknownFields(false)
            .WithTypeRegistry(EnvoyTypes.Registry)
            .WithRecursionLimit(256));

    /// <summary>Validates an Envoy bootstrap file.</summary>
    /// <param name="yamlPath">Path to the bootstrap YAML.</param>
    /// <returns>Every problem found; empty when the bootstrap is valid.</returns>
    public static IReadOnlyList<string> ValidateBootstrap(string yamlPath) => ParseBootstrapFile(yamlPath).Errors;

    /// <summary>Parses an Envoy bootstrap file, keeping the typed result for further checks.</summary>
    /// <param name="yamlPath">Path to the bootstrap YAML.</param>
    /// <returns>The parsed bootstrap and every problem found.</returns>
    public static EnvoyParseResult<Bootstrap> ParseBootstrapFile(string yamlPath)
    {
        ArgumentNullException.ThrowIfNull(yamlPath);
        if (!File.Exists(yamlPath))
        {
            return new EnvoyParseResult<Bootstrap>(null, [$"{yamlPath}: file not found"], []);
        }

        return Parse<Bootstrap>(File.ReadAllText(yamlPath));
    }

    /// <summary>Validates YAML as the Envoy API message <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The message type, e.g. <c>Envoy.Config.Cluster.V3.Cluster</c>.</typeparam>
    /// <param name="yaml">The YAML text.</param>
    /// <returns>Every problem found; empty when the YAML is valid.</returns>
    public static IReadOnlyList<string> Validate<T>(string yaml)
        where T : class, IMessage<T>, new() => Parse<T>(yaml).Errors;

    /// <summary>Validates YAML as the message described by <paramref name="descriptor"/>.</summary>
    /// <param name="yaml">The YAML text.</param>
    /// <param name="descriptor">The message type, e.g. <c>EnvoyTypes.Find("envoy.config.route.v3.RouteConfiguration")</c>.</param>
    /// <returns>Every problem found; empty when the YAML is valid.</returns>
    public static IReadOnlyList<string> Validate(string yaml, MessageDescriptor descriptor) => Parse(yaml, descriptor).Errors;

    /// <summary>Parses YAML strictly as the Envoy API message <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="yaml">The YAML text.</param>
    /// <returns>The parsed message and every problem found.</returns>
    public static EnvoyParseResult<T> Parse<T>(string yaml)
        where T : class, IMessage<T>, new()
    {
        // Google.Protobuf builds a file's descriptor in its type initializer and shares a non-thread-safe cache of
        // extensions between files (protocolbuffers/protobuf#29696): two test classes building different files'
        // descriptors at once corrupted it. The registry builds every file on one thread, so it goes first.
        _ = EnvoyTypes.Registry;
        var result = Parse(yaml, new T().Descriptor);
        return new EnvoyParseResult<T>(result.Message as T, result.Errors, result.AnyTypes);
    }

    /// <summary>Parses YAML strictly as the message described by <paramref name="descriptor"/>.</summary>
    /// <param name="yaml">The YAML text.</param>
    /// <param name="descriptor">The message type.</param>
    /// <returns>The parsed message and every problem found.</returns>
    public static EnvoyParseResult<IMessage> Parse(string yaml, MessageDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(descriptor);

        string json;
        try
        {
            json = EnvoyYamlToJson.Convert(yaml);
        }
        catch (FormatException ex)
        {
            return Failed(ex.Message);
        }

        using (var document = JsonDocument.Parse(json))
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Failed($"$: the YAML must be a mapping for {descriptor.FullName}");
            }

            var explained = ProtoJsonChecker.Check(document.RootElement, descriptor);
            if (explained.Count > 0)
            {
                return new EnvoyParseResult<IMessage>(null, explained, []);
            }
        }

        IMessage message;
        try
        {
            message = _parser.Parse(json, descriptor);
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidJsonException or InvalidOperationException
                                       or FormatException or ArgumentException)
        {
            // The checker missed it; the parser's own words are still better than nothing.
            return Failed($"$: {descriptor.FullName} rejected by the protobuf JSON parser: {ex.Message}");
        }

        var (errors, types) = AnyUnpacker.Walk(message);
        return new EnvoyParseResult<IMessage>(message, errors, types);
    }

    private static EnvoyParseResult<IMessage> Failed(string error) => new(null, [error], []);
}

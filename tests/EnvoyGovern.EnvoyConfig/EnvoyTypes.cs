using System.Reflection;
using Envoy.Config.Bootstrap.V3;
using Google.Protobuf.Reflection;

namespace EnvoyGovern.EnvoyConfig;

/// <summary>
/// Every protobuf message type compiled into the Envoy API assembly (and their imports), so that
/// a <c>google.protobuf.Any</c> such as <c>typed_config</c> can be resolved by its type URL.
/// </summary>
public static class EnvoyTypes
{
    private static readonly Lazy<TypeRegistry> _registry = new(Build);

    /// <summary>Gets the registry of all message types known to the Envoy API assembly.</summary>
    public static TypeRegistry Registry => _registry.Value;

    /// <summary>
    /// Finds a message type by full name (<c>envoy.config.bootstrap.v3.Bootstrap</c>) or by type URL
    /// (<c>type.googleapis.com/envoy.config.bootstrap.v3.Bootstrap</c>).
    /// </summary>
    /// <param name="typeNameOrUrl">A full message name or an <c>Any</c> type URL.</param>
    /// <returns>The descriptor, or <see langword="null"/> when the type is unknown.</returns>
    public static MessageDescriptor? Find(string typeNameOrUrl)
    {
        ArgumentNullException.ThrowIfNull(typeNameOrUrl);

        // Like Envoy, only the part after the last '/' names the type; the host part is free.
        var slash = typeNameOrUrl.LastIndexOf('/');
        var name = slash >= 0 ? typeNameOrUrl[(slash + 1)..] : typeNameOrUrl;
        return name.Length == 0 ? null : Registry.Find(name);
    }

    private static TypeRegistry Build()
    {
        // protoc emits one static "<File>Reflection" class per .proto with a Descriptor property;
        // FromFiles also walks each file's imports, which brings in the well-known types.
        var files = typeof(Bootstrap).Assembly
            .GetTypes()
            .Where(type => type.IsAbstract && type.IsSealed && type.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(type => type.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static))
            .Where(property => property?.PropertyType == typeof(FileDescriptor))
            .Select(property => (FileDescriptor)property!.GetValue(null)!)
            .ToArray();

        return TypeRegistry.FromFiles(files);
    }
}

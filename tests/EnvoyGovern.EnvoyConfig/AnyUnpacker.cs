using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace EnvoyGovern.EnvoyConfig;

/// <summary>
/// Walks a parsed message through every singular, repeated and map field and unpacks each
/// <c>google.protobuf.Any</c>, recursing into what it holds.
/// </summary>
/// <remarks>
/// The JSON parser already resolves <c>@type</c>; this pass proves the packed bytes of every Any
/// parse as the named Envoy type, and records which types the config uses.
/// </remarks>
internal sealed class AnyUnpacker
{
    private readonly List<string> _errors = [];
    private readonly List<string> _types = [];

    private AnyUnpacker()
    {
    }

    /// <summary>Unpacks every Any in <paramref name="root"/>.</summary>
    public static (IReadOnlyList<string> Errors, IReadOnlyList<string> Types) Walk(IMessage root)
    {
        var unpacker = new AnyUnpacker();
        unpacker.VisitMessage(root, "$");
        return (unpacker._errors, unpacker._types);
    }

    private void VisitMessage(IMessage message, string path)
    {
        if (message is Any any)
        {
            VisitAny(any, path);
            return;
        }

        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType is not (FieldType.Message or FieldType.Group))
            {
                continue;
            }

            var value = field.Accessor.GetValue(message);
            var fieldPath = $"{path}.{field.Name}";
            switch (value)
            {
                case null:
                    break;
                case IDictionary map:
                    foreach (DictionaryEntry entry in map)
                    {
                        if (entry.Value is IMessage mapValue)
                        {
                            VisitMessage(mapValue, $"{fieldPath}[\"{entry.Key}\"]");
                        }
                    }

                    break;
                case IList list:
                    for (var i = 0; i < list.Count; i++)
                    {
                        if (list[i] is IMessage item)
                        {
                            VisitMessage(item, $"{fieldPath}[{i}]");
                        }
                    }

                    break;
                case IMessage child:
                    VisitMessage(child, fieldPath);
                    break;
                default:
                    break;
            }
        }
    }

    private void VisitAny(Any any, string path)
    {
        if (string.IsNullOrEmpty(any.TypeUrl))
        {
            _errors.Add($"{path}: google.protobuf.Any without a type URL");
            return;
        }

        var descriptor = EnvoyTypes.Find(any.TypeUrl);
        if (descriptor is null)
        {
            _errors.Add($"{path}: unknown type '{any.TypeUrl}': no such message in the Envoy API protos");
            return;
        }

        IMessage inner;
        try
        {
            inner = descriptor.Parser.ParseFrom(any.Value);
        }
        catch (InvalidProtocolBufferException ex)
        {
            _errors.Add($"{path}: the bytes of this Any do not parse as {descriptor.FullName}: {ex.Message}");
            return;
        }

        _types.Add(descriptor.FullName);
        VisitMessage(inner, path);
    }
}

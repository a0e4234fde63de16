using Google.Protobuf;

// The generated message types are partial: these members give ExtProcWire the unknown fields that the
// parser kept, so a field the pinned protos lack is read from its own few bytes instead of from the whole
// message serialised again (which cost ~2-4% of an ext_proc stream's CPU, once per stream).
#pragma warning disable IDE0130 // the partials must live in the generated types' namespace
namespace Envoy.Service.ExtProc.V3;
#pragma warning restore IDE0130

public sealed partial class ProcessingRequest
{
    /// <summary>The fields the parser did not know, or null when there were none.</summary>
    internal UnknownFieldSet? UnknownFields => _unknownFields;
}

public sealed partial class BodyMutation
{
    /// <summary>The fields the parser did not know, or null when there were none.</summary>
    internal UnknownFieldSet? UnknownFields => _unknownFields;
}

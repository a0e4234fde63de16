namespace EnvoyGovern.ExtAuthz.Decisions.Wire;

/// <summary>
/// Writes the allowed CheckResponse straight to protobuf bytes, the same bytes as serializing what
/// <see cref="CheckResponseFactory.Create"/> builds (<c>CheckAnswerWireTests</c> compares them), without
/// the message objects, the <c>Struct</c> map and the generated serializer's two passes over them, which were
/// about a tenth of the ExtAuthz process's CPU (bench/README.md). Field order, omitted defaults and map semantics follow Google.Protobuf.
/// </summary>
internal static class AllowedAnswerWriter
{
    // CheckResponse: status = 1, ok_response = 3, dynamic_metadata = 4.
    private const byte ResponseOk = 0x1A;
    private const byte ResponseMetadata = 0x22;

    // OkHttpResponse: headers = 2, headers_to_remove = 5, response_headers_to_add = 6.
    private const byte OkHeaders = 0x12;
    private const byte OkHeadersToRemove = 0x2A;
    private const byte OkResponseHeadersToAdd = 0x32;

    // HeaderValueOption.header = 1 (HeaderValue: key = 1, value = 2); Struct.fields = 1 (entry: key = 1,
    // value = 2); Value.string_value = 3.
    private const byte Field1 = 0x0A;
    private const byte Field2 = 0x12;
    private const byte StringValue = 0x1A;

    // status {code: 0}: an empty google.rpc.Status, present.
    private static ReadOnlySpan<byte> OkStatus => [0x0A, 0x00];

    // HeaderValueOption after its header: append = BoolValue{false} (2), append_action = OVERWRITE_IF_EXISTS_OR_ADD (3).
    private static ReadOnlySpan<byte> OverwriteTail => [0x12, 0x00, 0x18, 0x02];

    /// <summary>The allowed answer's sizes, measured once for <see cref="Write"/>.</summary>
    public static AllowedAnswerLayout Measure(CheckContext context)
    {
        var entries = new MetadataEntries(context, distinct: false);
        var distinct = !entries.HasRepeatedKey();
        var ok = OkResponseSize(context);
        var metadata = MetadataSize(new MetadataEntries(context, distinct));
        return new AllowedAnswerLayout(ok, metadata, distinct, OkStatus.Length + WireWriter.FieldSize(ok) + WireWriter.FieldSize(metadata));
    }

    /// <summary>Writes the allowed answer; <paramref name="destination"/> holds at least <paramref name="layout"/>'s size.</summary>
    /// <param name="context">The decided request.</param>
    /// <param name="layout">Its measure.</param>
    /// <param name="destination">Where the answer goes.</param>
    /// <param name="idOffsets">When given, receives where each copy of the answer's own decision id starts (<see cref="AnswerTemplate"/>).</param>
    public static int Write(CheckContext context, AllowedAnswerLayout layout, Span<byte> destination, List<int>? idOffsets = null)
    {
        var writer = new WireWriter(destination);
        writer.Raw(OkStatus);
        writer.Begin(ResponseOk, layout.OkResponse);
        WriteHeader(ref writer, OkHeaders, GovernanceHeaders.Decision, "allow");
        var idStart = WriteHeader(ref writer, OkHeaders, GovernanceHeaders.DecisionId, context.DecisionId);
        idOffsets?.Add(idStart);
        if (context.PolicyVersion is { } version)
        {
            WriteHeader(ref writer, OkHeaders, GovernanceHeaders.PolicyVersion, version);
        }

        foreach (var (name, value) in context.UpstreamHeaders)
        {
            WriteHeader(ref writer, OkHeaders, name, value);
        }

        foreach (var name in context.RemovedUpstreamHeaders)
        {
            writer.String(OkHeadersToRemove, name);
        }

        idStart = WriteHeader(ref writer, OkResponseHeadersToAdd, GovernanceHeaders.DecisionId, context.DecisionId);
        idOffsets?.Add(idStart);

        var entries = new MetadataEntries(context, layout.DistinctKeys);
        writer.Begin(ResponseMetadata, layout.Metadata);
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries.ValueFor(i) is { } value)
            {
                var key = entries.Key(i);
                writer.Begin(Field1, EntrySize(key, value));
                writer.OptionalString(Field1, key);
                writer.Begin(Field2, WireWriter.StringSize(value));
                var start = writer.String(StringValue, value);
                if (idOffsets is not null && entries.IsDecisionId(i))
                {
                    idOffsets.Add(start);
                }
            }
        }

        return writer.Position;
    }

    private static int OkResponseSize(CheckContext context)
    {
        var size = HeaderSize(GovernanceHeaders.Decision, "allow") + (2 * HeaderSize(GovernanceHeaders.DecisionId, context.DecisionId));
        if (context.PolicyVersion is { } version)
        {
            size += HeaderSize(GovernanceHeaders.PolicyVersion, version);
        }

        foreach (var (name, value) in context.UpstreamHeaders)
        {
            size += HeaderSize(name, value);
        }

        foreach (var name in context.RemovedUpstreamHeaders)
        {
            size += WireWriter.StringSize(name);
        }

        return size;
    }

    // One HeaderValueOption with its tag in the OkHttpResponse.
    private static int HeaderSize(string name, string value) => WireWriter.FieldSize(HeaderOptionSize(name, value));

    private static int HeaderOptionSize(string name, string value) =>
        WireWriter.FieldSize(HeaderValueSize(name, value)) + OverwriteTail.Length;

    private static int HeaderValueSize(string name, string value) =>
        WireWriter.OptionalStringSize(name) + WireWriter.OptionalStringSize(value);

    // Returns where the value's bytes start (-1 when the value is empty, hence omitted).
    private static int WriteHeader(ref WireWriter writer, byte tag, string name, string value)
    {
        var header = HeaderValueSize(name, value);
        writer.Begin(tag, WireWriter.FieldSize(header) + OverwriteTail.Length);
        writer.Begin(Field1, header);
        writer.OptionalString(Field1, name);
        var start = writer.OptionalString(Field2, value);
        writer.Raw(OverwriteTail);
        return start;
    }

    private static int MetadataSize(MetadataEntries entries)
    {
        var size = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries.ValueFor(i) is { } value)
            {
                size += WireWriter.FieldSize(EntrySize(entries.Key(i), value));
            }
        }

        return size;
    }

    // A map entry: the key (omitted when empty, as for any proto3 string) and the Value message, always present.
    private static int EntrySize(string key, string value) =>
        WireWriter.OptionalStringSize(key) + WireWriter.FieldSize(WireWriter.StringSize(value));
}

/// <summary>Sizes of an allowed answer's parts, so that writing it does not measure it again.</summary>
/// <param name="OkResponse">Bytes of <c>ok_response</c>'s content.</param>
/// <param name="Metadata">Bytes of <c>dynamic_metadata</c>'s content.</param>
/// <param name="DistinctKeys">No metadata key is set twice (the common case: no map semantics to apply).</param>
/// <param name="Total">Bytes of the whole answer.</param>
internal readonly record struct AllowedAnswerLayout(int OkResponse, int Metadata, bool DistinctKeys, int Total);

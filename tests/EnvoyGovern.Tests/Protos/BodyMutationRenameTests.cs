using Envoy.Service.ExtProc.V3;
using Google.Protobuf;

namespace EnvoyGovern.Tests.Protos;

/// <summary>The build renames BodyMutation.clear_body; these prove the rename changed nothing on the wire.</summary>
public sealed class BodyMutationRenameTests
{
    // Field 2, wire type 0 (varint): tag byte 0x10, value 1.
    private static readonly byte[] ClearBodyWire = [0x10, 0x01];

    [Fact]
    public void Parse_BytesWithField2_DecodeIntoRenamedField()
    {
        var mutation = BodyMutation.Parser.ParseFrom(ClearBodyWire);

        Assert.Equal(BodyMutation.MutationOneofCase.ClearBodyChunk, mutation.MutationCase);
        Assert.True(mutation.ClearBodyChunk);
    }

    [Fact]
    public void ToByteArray_RenamedFieldSet_ReencodesToSameBytes()
    {
        var bytes = BodyMutation.Parser.ParseFrom(ClearBodyWire).ToByteArray();

        Assert.Equal(ClearBodyWire, bytes);
        Assert.Equal(ClearBodyWire, new BodyMutation { ClearBodyChunk = true }.ToByteArray());
    }

    [Fact]
    public void JsonFormatter_RenamedField_KeepsEnvoyJsonName()
    {
        var json = JsonFormatter.Default.Format(new BodyMutation { ClearBodyChunk = true });

        Assert.Equal("{ \"clearBody\": true }", json);
        Assert.True(JsonParser.Default.Parse<BodyMutation>("{\"clearBody\": true}").ClearBodyChunk);
    }
}

using System.Buffers.Binary;
using EnvoyGovern.ExtAuthz.Identity;

namespace EnvoyGovern.Tests.Identity;

/// <summary>The reference implementation's <c>vectors_sip128</c>: key 00..0f, message 00..(length - 1).</summary>
public sealed class SipHash128Tests
{
    [Theory]
    [InlineData(0, "a3817f04ba25a8e66df67214c7550293")]
    [InlineData(1, "da87c1d86b99af44347659119b22fc45")]
    [InlineData(7, "a1f1ebbed8dbc153c0b84aa61ff08239")]
    [InlineData(8, "3b62a9ba6258f5610f83e264f31497b4")]
    [InlineData(15, "5493e99933b0a8117e08ec0f97cfc3d9")]
    [InlineData(16, "6ee2a4ca67b054bbfd3315bf85230577")]
    [InlineData(63, "5150d1772f50834a503e069a973fbd7c")]
    public void Hash_ReferenceVector_MatchesItsBytes(int length, string expected)
    {
        byte[] key = [.. Enumerable.Range(0, 16).Select(i => (byte)i)];
        byte[] message = [.. Enumerable.Range(0, length).Select(i => (byte)i)];

        var tag = SipHash128.Hash(BinaryPrimitives.ReadUInt64LittleEndian(key), BinaryPrimitives.ReadUInt64LittleEndian(key.AsSpan(8)), message);

        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt128LittleEndian(bytes, tag);
        Assert.Equal(expected, Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void Hash_OtherKey_OtherTag()
    {
        byte[] message = [1, 2, 3];

        Assert.NotEqual(SipHash128.Hash(1, 2, message), SipHash128.Hash(1, 3, message));
    }
}

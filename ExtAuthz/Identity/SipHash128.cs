using System.Buffers.Binary;
using System.Numerics;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>
/// SipHash-2-4 with its 128-bit output (Aumasson and Bernstein, the reference implementation's
/// <c>vectors_sip128</c> are the tests): a keyed pseudo-random function, so that without the key nobody can tell
/// which inputs give which output, or aim two inputs at the same one. Used to remember accepted API keys without
/// keeping the keys (<see cref="ApiKeySource"/>).
/// </summary>
internal static class SipHash128
{
    /// <summary>The 128-bit tag of <paramref name="data"/> under the key (<paramref name="k0"/>, <paramref name="k1"/>): the key's bytes 0-7 and 8-15, little-endian.</summary>
    public static UInt128 Hash(ulong k0, ulong k1, ReadOnlySpan<byte> data)
    {
        var v0 = 0x736f6d6570736575UL ^ k0;
        var v1 = 0x646f72616e646f6dUL ^ k1 ^ 0xee;
        var v2 = 0x6c7967656e657261UL ^ k0;
        var v3 = 0x7465646279746573UL ^ k1;

        var end = data.Length & ~7;
        for (var i = 0; i < end; i += 8)
        {
            var m = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            v3 ^= m;
            Round(ref v0, ref v1, ref v2, ref v3);
            Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }

        // The last block: the remaining bytes, and the length's low byte at the top.
        var last = (ulong)data.Length << 56;
        for (var i = 0; i < data.Length - end; i++)
        {
            last |= (ulong)data[end + i] << (8 * i);
        }

        v3 ^= last;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= last;

        v2 ^= 0xee;
        Finish(ref v0, ref v1, ref v2, ref v3);
        var low = v0 ^ v1 ^ v2 ^ v3;
        v1 ^= 0xdd;
        Finish(ref v0, ref v1, ref v2, ref v3);
        var high = v0 ^ v1 ^ v2 ^ v3;
        return new UInt128(high, low);
    }

    private static void Finish(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        for (var i = 0; i < 4; i++)
        {
            Round(ref v0, ref v1, ref v2, ref v3);
        }
    }

    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1;
        v1 = BitOperations.RotateLeft(v1, 13);
        v1 ^= v0;
        v0 = BitOperations.RotateLeft(v0, 32);
        v2 += v3;
        v3 = BitOperations.RotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = BitOperations.RotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = BitOperations.RotateLeft(v1, 17);
        v1 ^= v2;
        v2 = BitOperations.RotateLeft(v2, 32);
    }
}

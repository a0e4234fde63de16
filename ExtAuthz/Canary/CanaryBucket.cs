using System.Buffers;
using System.IO.Hashing;
using System.Text;

namespace EnvoyGovern.ExtAuthz.Canary;

/// <summary>
/// Where a user falls in a canary's range: a fixed hash (XxHash3, seed 0) of the stickiness key, the
/// model and the canary, as parts per million. Every replica and every restart computes the same
/// position without shared state, and a user is in the canary when the position is below the weight:
/// raising the weight only adds users, lowering it only removes them.
/// </summary>
internal static class CanaryBucket
{
    /// <summary>Positions run from 0 to <see cref="Scale"/> - 1.</summary>
    public const ulong Scale = 1_000_000;

    private const int StackLimit = 512;

    /// <summary>The position for a weight given in percent (fractions allowed): users below it are in.</summary>
    public static ulong Threshold(double weightPercent) => (ulong)Math.Round(weightPercent * (Scale / 100.0));

    public static ulong Position(ReadOnlySpan<char> key, string model, string canary)
    {
        var length = Encoding.UTF8.GetMaxByteCount(key.Length + model.Length + canary.Length + 2);
        var rented = length > StackLimit ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> buffer = rented is null ? stackalloc byte[StackLimit] : rented;
        try
        {
            // Separators keep ("ab", "c") and ("a", "bc") apart.
            var written = Encoding.UTF8.GetBytes(key, buffer);
            buffer[written++] = 0;
            written += Encoding.UTF8.GetBytes(model, buffer[written..]);
            buffer[written++] = 0;
            written += Encoding.UTF8.GetBytes(canary, buffer[written..]);
            return XxHash3.HashToUInt64(buffer[..written]) % Scale;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}

using System.Buffers.Binary;

namespace EnvoyGovern.Governance.Decisions;

/// <summary>
/// Decision ids are UUIDv7 (RFC 9562): unique across replicas without coordination, and time-ordered so that
/// audit records sort by id.
/// </summary>
/// <remarks>
/// The 74 random bits come from <see cref="Random.Shared"/> (xoshiro256**, one generator per thread, each
/// seeded with 256 bits from the operating system), not from a CSPRNG call per id as in
/// <see cref="Guid.CreateVersion7(DateTimeOffset)"/>: one system call per id, about 1 µs on every Check in the
/// load harness. Ids must be unique, not secret: nothing is authorised by one.
/// </remarks>
public sealed class DecisionIds(TimeProvider time)
{
    /// <summary>A new id, 32 lower-case hex digits.</summary>
    public string Next()
    {
        Span<byte> uuid = stackalloc byte[16];
        Random.Shared.NextBytes(uuid[6..]);
        // unix_ts_ms: the low 48 bits of the milliseconds, big-endian, in bytes 0-5.
        Span<byte> milliseconds = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(milliseconds, time.GetUtcNow().ToUnixTimeMilliseconds());
        milliseconds[2..].CopyTo(uuid);
        uuid[6] = (byte)(0x70 | (uuid[6] & 0x0F));
        uuid[8] = (byte)(0x80 | (uuid[8] & 0x3F));
        return Convert.ToHexStringLower(uuid);
    }
}

using System.Buffers.Binary;
using System.IO.Hashing;

namespace EnvoyGovern.Governance.Audit.Delivery.Wal;

/// <summary>
/// The position up to which the sink has acknowledged records. Replaced atomically (write a temporary file,
/// fsync, rename), so a crash leaves either the old or the new position, never a torn one.
/// </summary>
internal sealed class CommittedOffsetFile(string directory)
{
    private const int Length = 20;
    private readonly string _path = Path.Combine(directory, "committed");
    private readonly string _temporary = Path.Combine(directory, "committed.tmp");

    /// <summary>The stored position, or null when none was stored yet (or it is unreadable: replay from the start).</summary>
    public WalPosition? Read()
    {
        if (!File.Exists(_path))
        {
            return null;
        }

        var bytes = File.ReadAllBytes(_path);
        if (bytes.Length != Length || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)) != Crc32.HashToUInt32(bytes.AsSpan(0, 16)))
        {
            return null;
        }

        return new WalPosition(BinaryPrimitives.ReadInt64LittleEndian(bytes), BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)));
    }

    public void Write(WalPosition position)
    {
        Span<byte> bytes = stackalloc byte[Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, position.Segment);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], position.Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[16..], Crc32.HashToUInt32(bytes[..16]));
        using (var handle = File.OpenHandle(_temporary, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, bytes, 0);
            RandomAccess.FlushToDisk(handle);
        }

        File.Move(_temporary, _path, overwrite: true);
    }
}

using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace EnvoyGovern.Governance.Audit.Chain;

/// <summary>
/// The writer's side of <see cref="AuditChainFormat"/> for one stream: closes a record with its chain members,
/// hashes it and seals it, without a string or a hash object per record (the chain step runs under the recorder's
/// lock, on every decision). Not thread-safe: the caller serializes <see cref="SealInPlace"/> and <see cref="Advance"/>.
/// </summary>
/// <remarks>
/// The whole record is hashed here, under the caller's lock, though only its chain members depend on the chain.
/// Hashing the rest before the lock (a hash context per thread) was tried: no gain could be measured at full load, and
/// a shorter chain lock may let more callers reach the stdout pipeline while another writes, where they wait for the
/// next batch (bench/README.md, "Audit cost, fifth pass").
/// </remarks>
internal sealed class AuditChainLinker
{
    // The longest tail after the record's members: the stream, seq and prev members, 19 digits, the hash, " and }.
    private const int TailLength = 64 + 19 + AuditChainFormat.HashLength + 2;

    private static readonly SearchValues<char> StreamCharacters = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

    // One context for the stream's life: a one-shot hash sets up and frees a native digest context per record.
    private readonly RecordSha256 _sha256 = new();
    private readonly byte[] _streamMember;
    private readonly byte[] _previous = Encoding.ASCII.GetBytes(AuditChainFormat.Genesis);
    private long _sequence;

    /// <summary>Starts the chain of <paramref name="stream"/> (letters, digits and '-': nothing to escape).</summary>
    public AuditChainLinker(string stream)
    {
        if (string.IsNullOrEmpty(stream) || stream.AsSpan().ContainsAnyExcept(StreamCharacters))
        {
            throw new ArgumentException($"a chain stream is letters, digits and '-', not '{stream}'", nameof(stream));
        }

        _streamMember = Encoding.ASCII.GetBytes($",\"{AuditChainFormat.StreamField}\":\"{stream}\"");
    }

    /// <summary>The sequence of the last record the chain advanced to (0 before the first).</summary>
    public long Sequence => _sequence;

    /// <summary>The hash of the last record (the next record's <c>prev</c>).</summary>
    public string PreviousHash => Encoding.ASCII.GetString(_previous);

    private static ReadOnlySpan<byte> SequenceMember => ",\"envoygovern.audit.chain.seq\":"u8;

    private static ReadOnlySpan<byte> PreviousMember => ",\"envoygovern.audit.chain.prev\":\""u8;

    /// <summary>
    /// Closes the open record in <paramref name="buffer"/> (a JSON object with at least one member and no closing
    /// brace) with the next sequence and the previous hash, hashes it and appends its hash member: afterwards the
    /// buffer's written bytes are the finished record, with no copy made. The chain does not move until
    /// <see cref="Advance"/>: a record that is not taken leaves no gap.
    /// </summary>
    public void SealInPlace(ArrayBufferWriter<byte> buffer)
    {
        var tail = buffer.GetSpan(_streamMember.Length + TailLength);
        _streamMember.CopyTo(tail);
        var at = _streamMember.Length;
        SequenceMember.CopyTo(tail[at..]);
        at += SequenceMember.Length;
        (_sequence + 1).TryFormat(tail[at..], out var digits, provider: System.Globalization.CultureInfo.InvariantCulture);
        at += digits;
        PreviousMember.CopyTo(tail[at..]);
        at += PreviousMember.Length;
        _previous.CopyTo(tail[at..]);
        at += _previous.Length;
        tail[at++] = (byte)'"';
        // The hashed body ends with its closing brace, which the hash member then replaces: written past the end
        // (not advanced over), so that the body is hashed in one native call. GetSpan's span continues the written
        // bytes in the buffer's array.
        tail[at] = (byte)'}';
        if (!MemoryMarshal.TryGetArray(buffer.WrittenMemory, out var written) || written.Array is null || written.Offset != 0)
        {
            throw new InvalidOperationException("the record buffer is not one array");
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        _sha256.Hash(written.Array.AsSpan(0, written.Count + at + 1), digest);
        buffer.Advance(at);

        var suffix = buffer.GetSpan(AuditChainFormat.SuffixLength);
        AuditChainFormat.SuffixStart.CopyTo(suffix);
        Convert.TryToHexStringLower(digest, suffix[AuditChainFormat.SuffixStart.Length..], out _);
        suffix[AuditChainFormat.SuffixLength - 2] = (byte)'"';
        suffix[AuditChainFormat.SuffixLength - 1] = (byte)'}';
        buffer.Advance(AuditChainFormat.SuffixLength);
    }

    /// <summary>Moves the chain past <paramref name="record"/>, the last record <see cref="SealInPlace"/> finished.</summary>
    public long Advance(ReadOnlySpan<byte> record)
    {
        record.Slice(record.Length - 2 - AuditChainFormat.HashLength, AuditChainFormat.HashLength).CopyTo(_previous);
        return ++_sequence;
    }
}

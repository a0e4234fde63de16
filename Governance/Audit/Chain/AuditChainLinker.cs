using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace EnvoyGovern.Governance.Audit.Chain;

/// <summary>
/// The writer's side of <see cref="AuditChainFormat"/> for one stream: closes a record with its chain members,
/// hashes it and seals it, without a string or a hash object per record (the chain step runs on every decision).
/// Two steps, so that the chain lock covers only the few bytes that depend on the chain: <see cref="Open"/> (any
/// thread, no lock) adds the stream member and hashes the record so far on a hash context of the calling thread;
/// <see cref="SealInPlace"/> (under the caller's lock, with <see cref="Advance"/>) adds the sequence and the previous
/// hash, hashes those and seals the record. The hash is the same SHA-256 over the same bytes as in one step.
/// </summary>
internal sealed class AuditChainLinker
{
    // The longest tail after the stream member: the seq and prev members, 19 digits, the hash and "}.
    private const int TailLength = 64 + 19 + AuditChainFormat.HashLength + 2;

    private static readonly SearchValues<char> StreamCharacters = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

    // One context per thread for the process's life: a one-shot hash sets up and frees a native digest context per
    // record. Opened is true between Open and SealInPlace: a context left half-fed by a failure in between is replaced.
    [ThreadStatic]
    private static IncrementalHash? _threadHash;

    [ThreadStatic]
    private static bool _threadHashOpened;

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
    /// Adds the stream member to the open record in <paramref name="buffer"/> (a JSON object with at least one member
    /// and no closing brace) and hashes the record so far on this thread's context. Needs no lock: nothing here
    /// depends on the chain's position. <see cref="SealInPlace"/> on the same thread finishes the record.
    /// </summary>
    public OpenRecord Open(ArrayBufferWriter<byte> buffer)
    {
        if (_threadHashOpened || _threadHash is null)
        {
            _threadHash?.Dispose();
            _threadHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }

        buffer.Write(_streamMember);
        _threadHash.AppendData(buffer.WrittenSpan);
        _threadHashOpened = true;
        return new OpenRecord(buffer.WrittenCount);
    }

    /// <summary>
    /// Closes the record <see cref="Open"/> opened in <paramref name="buffer"/> with the next sequence and the previous
    /// hash, hashes them and appends the record's hash member: afterwards the buffer's written bytes are the finished
    /// record, with no copy made. Call under the lock that serializes the chain. The chain does not move until
    /// <see cref="Advance"/>: a record that is not taken leaves no gap.
    /// </summary>
    public void SealInPlace(ArrayBufferWriter<byte> buffer, OpenRecord opened)
    {
        var hash = _threadHash;
        if (!_threadHashOpened || hash is null || buffer.WrittenCount != opened.Hashed)
        {
            throw new InvalidOperationException("the record was not opened on this thread");
        }

        var tail = buffer.GetSpan(TailLength);
        SequenceMember.CopyTo(tail);
        var at = SequenceMember.Length;
        (_sequence + 1).TryFormat(tail[at..], out var digits, provider: System.Globalization.CultureInfo.InvariantCulture);
        at += digits;
        PreviousMember.CopyTo(tail[at..]);
        at += PreviousMember.Length;
        _previous.CopyTo(tail[at..]);
        at += _previous.Length;
        tail[at++] = (byte)'"';
        // The hashed body ends with its closing brace, which the hash member then replaces: hashed with it, one call.
        tail[at] = (byte)'}';
        hash.AppendData(tail[..(at + 1)]);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        hash.GetHashAndReset(digest);
        _threadHashOpened = false;
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

    /// <summary>A record that <see cref="Open"/> hashed up to <see cref="Hashed"/> bytes on the calling thread.</summary>
    /// <param name="Hashed">How many bytes of the buffer are hashed.</param>
    internal readonly record struct OpenRecord(int Hashed);
}

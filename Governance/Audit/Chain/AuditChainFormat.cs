using System.Security.Cryptography;
using System.Text;

namespace EnvoyGovern.Governance.Audit.Chain;

/// <summary>
/// The canonical form of a chained audit record, shared by the writer and <c>envoy-govern audit verify</c>.
/// A record is one UTF-8 JSON object whose last member is <c>"envoygovern.audit.chain.hash":"&lt;64 hex&gt;"</c>.
/// Its hash is SHA-256 over the record's exact bytes with that last member (and the comma before it) removed,
/// that is <c>line[..^Suffix.Length] + "}"</c>, in lower-case hex. The members just before it,
/// <c>envoygovern.audit.chain.stream</c>, <c>.seq</c> (1, 2, 3 ... per stream) and <c>.prev</c> (the previous
/// record's hash; <see cref="Genesis"/> for seq 1), link it to its predecessor. Hashing the exact bytes
/// means any verifier can check a record without re-serializing it, in any language.
/// </summary>
public static class AuditChainFormat
{
    /// <summary>Name of the member with the record's own hash (always last).</summary>
    public const string HashField = "envoygovern.audit.chain.hash";

    /// <summary>Name of the member with the chain stream the record belongs to.</summary>
    public const string StreamField = "envoygovern.audit.chain.stream";

    /// <summary>Name of the member with the record's position in its stream.</summary>
    public const string SequenceField = "envoygovern.audit.chain.seq";

    /// <summary>Name of the member with the hash of the previous record in the stream.</summary>
    public const string PreviousField = "envoygovern.audit.chain.prev";

    /// <summary>The <c>prev</c> of a stream's first record.</summary>
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>Length of a hash in hex digits.</summary>
    public const int HashLength = 64;

    /// <summary>What precedes the hash value at the end of a record.</summary>
    public static ReadOnlySpan<byte> SuffixStart => ",\"envoygovern.audit.chain.hash\":\""u8;

    /// <summary>Total length of the hash member at the end of a record, including the closing brace.</summary>
    public static int SuffixLength => SuffixStart.Length + HashLength + 2;

    /// <summary>Hash of a record body (the record without its hash member, ending in <c>}</c>).</summary>
    public static string Hash(ReadOnlySpan<byte> body)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>Writes <paramref name="body"/> with its hash member appended into a new array: the finished record.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> body, string hash)
    {
        var record = new byte[body.Length - 1 + SuffixLength];
        body[..^1].CopyTo(record);
        var at = body.Length - 1;
        SuffixStart.CopyTo(record.AsSpan(at));
        at += SuffixStart.Length;
        Encoding.ASCII.GetBytes(hash, record.AsSpan(at, HashLength));
        record[^2] = (byte)'"';
        record[^1] = (byte)'}';
        return record;
    }

    /// <summary>
    /// Splits a finished record into its body (re-closed with <c>}</c>) and its stated hash; false when the
    /// record does not end with a well-formed hash member.
    /// </summary>
    public static bool TryOpen(ReadOnlySpan<byte> record, out byte[] body, out string statedHash)
    {
        body = [];
        statedHash = "";
        if (record.Length < SuffixLength + 2 || record[^1] != (byte)'}' || record[^2] != (byte)'"')
        {
            return false;
        }

        var suffixAt = record.Length - SuffixLength;
        if (!record[suffixAt..].StartsWith(SuffixStart))
        {
            return false;
        }

        var hex = record.Slice(suffixAt + SuffixStart.Length, HashLength);
        foreach (var c in hex)
        {
            if (c is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
            {
                return false;
            }
        }

        statedHash = Encoding.ASCII.GetString(hex);
        body = new byte[suffixAt + 1];
        record[..suffixAt].CopyTo(body);
        body[^1] = (byte)'}';
        return true;
    }
}

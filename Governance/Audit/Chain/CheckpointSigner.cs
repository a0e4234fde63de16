using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EnvoyGovern.Governance.Audit.Chain;

/// <summary>
/// Signs and checks checkpoints with HMAC-SHA256. A checkpoint is a record in the chain whose signature covers
/// <c>"envoygovern-audit-checkpoint\n{stream}\n{seq}\n{prev}"</c>: its own position and the hash of the record
/// before it, so it commits to everything earlier in the stream. Without the key, a rewritten chain can be
/// re-hashed but its checkpoints cannot be re-signed.
/// </summary>
public sealed class CheckpointSigner
{
    /// <summary>The algorithm name written into checkpoints.</summary>
    public const string Algorithm = "HMAC-SHA256";

    /// <summary>The shortest key accepted, in bytes (the HMAC-SHA256 block of security).</summary>
    public const int MinimumKeyBytes = 32;

    private readonly byte[] _key;

    /// <summary>Creates a signer for <paramref name="key"/>.</summary>
    public CheckpointSigner(byte[] key, string? keyId = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < MinimumKeyBytes)
        {
            throw new ArgumentException($"a checkpoint key needs at least {MinimumKeyBytes} bytes", nameof(key));
        }

        _key = key;
        // The id names the key without revealing it: a truncated hash of a 256-bit secret.
        KeyId = string.IsNullOrWhiteSpace(keyId) ? Convert.ToHexStringLower(SHA256.HashData(key))[..16] : keyId;
    }

    /// <summary>The key id written into checkpoints, so a verifier can pick the key after a rotation.</summary>
    public string KeyId { get; }

    /// <summary>Reads a key file: its bytes, without a trailing line break (so <c>echo</c>-made files work).</summary>
    public static CheckpointSigner FromFile(string path, string? keyId = null)
    {
        var bytes = File.ReadAllBytes(path);
        var length = bytes.Length;
        while (length > 0 && bytes[length - 1] is (byte)'\n' or (byte)'\r')
        {
            length--;
        }

        return new CheckpointSigner(bytes[..length], keyId);
    }

    /// <summary>The signature (base64) of a checkpoint at <paramref name="sequence"/> following <paramref name="previousHash"/>.</summary>
    public string Sign(string stream, long sequence, string previousHash) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Message(stream, sequence, previousHash)));

    /// <summary>True when <paramref name="signature"/> is this key's signature of the checkpoint.</summary>
    public bool Verify(string stream, long sequence, string previousHash, string signature)
    {
        Span<byte> stated = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (!Convert.TryFromBase64String(signature, stated, out var written) || written != stated.Length)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(_key, Message(stream, sequence, previousHash));
        return CryptographicOperations.FixedTimeEquals(expected, stated);
    }

    private static byte[] Message(string stream, long sequence, string previousHash) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"envoygovern-audit-checkpoint\n{stream}\n{sequence}\n{previousHash}"));
}

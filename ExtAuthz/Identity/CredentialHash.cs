using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>
/// The lower-case hex SHA-256 of a credential's UTF-8 bytes, written into a caller's buffer: API keys are
/// looked up by it and validated tokens cached under it, so a Check never copies the credential itself.
/// </summary>
internal static class CredentialHash
{
    /// <summary>Characters of the hex digest.</summary>
    public const int HexLength = SHA256.HashSizeInBytes * 2;

    // Larger credentials are hashed from a pooled buffer instead of the stack.
    private const int StackLimit = 1024;

    public static void WriteHex(ReadOnlySpan<char> credential, Span<char> hex)
    {
        var length = Encoding.UTF8.GetByteCount(credential);
        var rented = length > StackLimit ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> utf8 = rented is null ? stackalloc byte[StackLimit] : rented;
        try
        {
            var written = Encoding.UTF8.GetBytes(credential, utf8);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(utf8[..written], hash);
            Convert.TryToHexStringLower(hash, hex, out _);
        }
        finally
        {
            // The buffer held the credential: clear it before it goes back to the pool.
            utf8.Clear();
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}

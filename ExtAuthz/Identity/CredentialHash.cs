using System.Security.Cryptography;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>
/// The lower-case hex SHA-256 of a credential's UTF-8 bytes, written into a caller's buffer: API keys are
/// looked up by it, so a Check never copies the credential itself.
/// </summary>
internal static class CredentialHash
{
    /// <summary>Characters of the hex digest.</summary>
    public const int HexLength = SHA256.HashSizeInBytes * 2;

    public static void WriteHex(ReadOnlySpan<byte> utf8, Span<char> hex)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8, hash);
        Convert.TryToHexStringLower(hash, hex, out _);
    }
}

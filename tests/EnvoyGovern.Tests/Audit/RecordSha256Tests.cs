using System.Security.Cryptography;
using EnvoyGovern.Governance.Audit.Chain;

namespace EnvoyGovern.Tests.Audit;

/// <summary>The chain's SHA-256 (libcrypto's digest functions on Linux) gives .NET's SHA-256, record after record.</summary>
public sealed class RecordSha256Tests
{
    [Fact]
    public void IsNative_OnLinux_HashesThroughLibcrypto()
    {
        // The services run on Linux, where .NET's own cryptography needs libcrypto: the fast path must be taken there.
        Assert.Equal(OperatingSystem.IsLinux(), RecordSha256.IsNative);
    }

    [Fact]
    public void Hash_ManyLengthsOnOneInstance_SameDigestsAsDotNet()
    {
        var hasher = new RecordSha256();
        var data = new byte[5000];
        new Random(7).NextBytes(data);
        var ours = new byte[SHA256.HashSizeInBytes];

        // Around the 64-byte block and the padding boundary, record sizes, and a long record; one context reused.
        foreach (var length in new[] { 0, 1, 55, 56, 57, 63, 64, 65, 127, 128, 1642, 1757, 4099, 5000 })
        {
            hasher.Hash(data.AsSpan(0, length), ours);

            Assert.Equal(SHA256.HashData(data.AsSpan(0, length)), ours);
        }
    }

    [Fact]
    public void Hash_SliceNotAtTheStart_HashesExactlyThoseBytes()
    {
        var hasher = new RecordSha256();
        var data = new byte[300];
        new Random(11).NextBytes(data);
        var ours = new byte[SHA256.HashSizeInBytes];

        hasher.Hash(data.AsSpan(17, 200), ours);

        Assert.Equal(SHA256.HashData(data.AsSpan(17, 200)), ours);
    }
}

using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace EnvoyGovern.Governance.Audit.Chain;

/// <summary>
/// SHA-256 of one record at a time, for the chain step on every decision. On Linux it calls the libcrypto that .NET
/// itself uses, through its plain digest functions (<c>SHA256_Init</c>/<c>_Update</c>/<c>_Final</c>, the same SHA-NI
/// code as the EVP path) on a context of its own: .NET's <see cref="IncrementalHash"/> goes through EVP, whose per-call
/// overhead (<c>ERR_clear_error</c>, the digest context's reset and frees) is ~0.35 µs per record, a fifth of the
/// whole hash of a 1.7 KB record (bench/README.md, "Audit cost, seventh pass"). Elsewhere, when that library or its
/// functions are missing, when OpenSSL runs with FIPS properties by default, or when they fail a known-answer check
/// at start, it is <see cref="IncrementalHash"/>.
/// The digest is the same either way: the verifier (<see cref="AuditChainFormat.Hash"/>) hashes with .NET's own
/// SHA-256. Not thread-safe: one instance per chain, used under the chain's lock.
/// </summary>
internal sealed unsafe class RecordSha256
{
    // sizeof(SHA256_CTX) is 112 bytes (eight state words, the bit count, a 64-byte block, num and md_len): room to spare.
    private const int ContextBytes = 256;

    private static readonly Native? Functions = Native.Load();

    // Pinned for its life (the pinned object heap): libcrypto writes the context in place, no handle to free.
    private readonly byte[]? _context;
    private readonly IncrementalHash? _fallback;

    public RecordSha256()
    {
        if (Functions is null)
        {
            _fallback = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }
        else
        {
            _context = GC.AllocateArray<byte>(ContextBytes, pinned: true);
        }
    }

    /// <summary>True when records are hashed through libcrypto's digest functions directly.</summary>
    public static bool IsNative => Functions is not null;

    /// <summary>Writes the SHA-256 of <paramref name="data"/> into <paramref name="digest"/> (32 bytes).</summary>
    public void Hash(ReadOnlySpan<byte> data, Span<byte> digest)
    {
        if (_fallback is not null)
        {
            _fallback.AppendData(data);
            _fallback.GetHashAndReset(digest);
            return;
        }

        Functions!.Hash(_context!, data, digest);
    }

    private sealed class Native
    {
        private readonly delegate* unmanaged<byte*, int> _init;
        private readonly delegate* unmanaged<byte*, byte*, nuint, int> _update;
        private readonly delegate* unmanaged<byte*, byte*, int> _final;

        private Native(nint init, nint update, nint final)
        {
            _init = (delegate* unmanaged<byte*, int>)init;
            _update = (delegate* unmanaged<byte*, byte*, nuint, int>)update;
            _final = (delegate* unmanaged<byte*, byte*, int>)final;
        }

        public static Native? Load()
        {
            if (!OperatingSystem.IsLinux())
            {
                return null;
            }

            foreach (var name in (ReadOnlySpan<string>)["libcrypto.so.3", "libcrypto.so.1.1"])
            {
                if (NativeLibrary.TryLoad(name, out var library)
                    && !FipsEnabled(library)
                    && NativeLibrary.TryGetExport(library, "SHA256_Init", out var init)
                    && NativeLibrary.TryGetExport(library, "SHA256_Update", out var update)
                    && NativeLibrary.TryGetExport(library, "SHA256_Final", out var final))
                {
                    var native = new Native(init, update, final);
                    return native.PassesKnownAnswers() ? native : null;
                }
            }

            return null;
        }

        // With OpenSSL 3's FIPS properties on by default, digests must come from the FIPS provider, which the plain
        // functions bypass: EVP (IncrementalHash) then, as .NET does.
        private static bool FipsEnabled(nint library) =>
            NativeLibrary.TryGetExport(library, "EVP_default_properties_is_fips_enabled", out var isFips)
            && ((delegate* unmanaged<nint, int>)isFips)(0) != 0;

        public void Hash(byte[] context, ReadOnlySpan<byte> data, Span<byte> digest)
        {
            if (digest.Length < SHA256.HashSizeInBytes)
            {
                throw new ArgumentException("a SHA-256 digest is 32 bytes", nameof(digest));
            }

            fixed (byte* ctx = context)
            fixed (byte* input = data)
            fixed (byte* output = digest)
            {
                if (_init(ctx) != 1 || _update(ctx, input, (nuint)data.Length) != 1 || _final(output, ctx) != 1)
                {
                    throw new CryptographicException("libcrypto's SHA-256 failed");
                }
            }
        }

        // The same digests as .NET's own SHA-256 for lengths around the block and padding boundaries, or not used.
        private bool PassesKnownAnswers()
        {
            var context = new byte[ContextBytes];
            var data = new byte[1500];
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = (byte)(i * 31 + 7);
            }

            Span<byte> ours = stackalloc byte[SHA256.HashSizeInBytes];
            Span<byte> theirs = stackalloc byte[SHA256.HashSizeInBytes];
            foreach (var length in (ReadOnlySpan<int>)[0, 1, 55, 56, 63, 64, 65, 119, 1500])
            {
                Hash(context, data.AsSpan(0, length), ours);
                SHA256.HashData(data.AsSpan(0, length), theirs);
                if (!ours.SequenceEqual(theirs))
                {
                    return false;
                }
            }

            return true;
        }
    }
}

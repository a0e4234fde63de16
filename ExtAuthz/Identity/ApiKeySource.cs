using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>
/// API keys presented in a header and known only by their SHA-256. The table is keyed by the lower-case
/// hex of the hash: a dictionary lookup is not constant-time, but what it compares is the hash of the
/// presented key, and hashes are not secret (they are in the policy), so timing reveals nothing usable.
/// </summary>
/// <remarks>
/// A key already accepted is found again by its SipHash-2-4-128 tag under a random key of this source, not by
/// its SHA-256 (about a microsecond through OpenSSL on every Check, bench/README.md, sixth pass). The tag is a
/// keyed pseudo-random function of the key: memory holds no key, and the tags are worth less than the policy's
/// unsalted SHA-256 without this source's random key, which never leaves the process. Only keys whose SHA-256
/// the policy lists get a tag, so there is at most one tag per listed key, and an unknown key is always checked
/// by its SHA-256. Two keys with the same tag would take a 128-bit collision of a keyed function whose key an
/// attacker never sees.
/// </remarks>
internal sealed class ApiKeySource : IIdentitySource
{
    // Larger keys are encoded into a pooled buffer instead of the stack.
    private const int StackLimit = 1024;

    private readonly string _header;
    private readonly Dictionary<string, IdentityResult>.AlternateLookup<ReadOnlySpan<char>> _byHash;
    private readonly ConcurrentDictionary<UInt128, IdentityResult> _accepted = new();
    private readonly ulong _tagKey0;
    private readonly ulong _tagKey1;

    private ApiKeySource(string header, Dictionary<string, IdentityResult> byHash)
    {
        _header = header;
        _byHash = byHash.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<byte> tagKey = stackalloc byte[16];
        RandomNumberGenerator.Fill(tagKey);
        _tagKey0 = BinaryPrimitives.ReadUInt64LittleEndian(tagKey);
        _tagKey1 = BinaryPrimitives.ReadUInt64LittleEndian(tagKey[8..]);
    }

    public string Kind => "apiKey";

    /// <summary>Builds the table from the inline keys and the keys file; any bad entry fails compilation.</summary>
    public static ApiKeySource Create(ApiKeySourceSpec spec, IdentitySourceContext context)
    {
        var path = context.Path + "/apiKey";
        var header = CredentialHeader.Normalize(spec.Header, path + "/header");
        var byHash = new Dictionary<string, IdentityResult>(StringComparer.Ordinal);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Keys.Count; i++)
        {
            Add(byHash, ids, spec.Keys[i], $"{path}/keys/{i}");
        }

        if (spec.KeysFile is not null)
        {
            var file = ApiKeyFile.Load(spec.KeysFile, context, path + "/keysFile");
            for (var i = 0; i < file.Count; i++)
            {
                Add(byHash, ids, file[i], $"{path}/keysFile[{i}]");
            }
        }

        if (byHash.Count == 0)
        {
            throw new PolicyCompilationException(path, "no keys: set keys or keysFile");
        }

        return new ApiKeySource(header, byHash);
    }

    public ValueTask<IdentityResult> AuthenticateAsync(CheckContext context, CancellationToken cancellationToken)
    {
        if (!CredentialHeader.TryRead(context, _header, out var key))
        {
            return ValueTask.FromResult(IdentityResult.None);
        }

        return ValueTask.FromResult(Authenticate(key));
    }

    private IdentityResult Authenticate(ReadOnlySpan<char> key)
    {
        var length = Encoding.UTF8.GetByteCount(key);
        var rented = length > StackLimit ? ArrayPool<byte>.Shared.Rent(length) : null;
        var buffer = rented is null ? stackalloc byte[StackLimit] : rented;
        var utf8 = buffer[..Encoding.UTF8.GetBytes(key, buffer)];
        try
        {
            var tag = SipHash128.Hash(_tagKey0, _tagKey1, utf8);
            if (_accepted.TryGetValue(tag, out var accepted))
            {
                return accepted;
            }

            Span<char> hex = stackalloc char[CredentialHash.HexLength];
            CredentialHash.WriteHex(utf8, hex);
            if (!_byHash.TryGetValue(hex, out var result))
            {
                return IdentityResult.Reject("invalid_api_key", "The API key is not valid.");
            }

            _accepted.TryAdd(tag, result);
            return result;
        }
        finally
        {
            // The buffer held the key: clear it before it goes back to the pool or the stack frame is reused.
            utf8.Clear();
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void Add(Dictionary<string, IdentityResult> byHash, HashSet<string> ids, ApiKeySpec key, string path)
    {
        if (string.IsNullOrWhiteSpace(key.Id) || string.IsNullOrWhiteSpace(key.Tenant))
        {
            throw new PolicyCompilationException(path, "id and tenant are required");
        }

        var hash = key.Sha256?.Trim().ToLowerInvariant();
        if (hash is not { Length: 64 } || !hash.All(char.IsAsciiHexDigit))
        {
            throw new PolicyCompilationException(path + "/sha256", "must be the 64 hex digits of the key's SHA-256 (never the key itself)");
        }

        if (!ids.Add(key.Id))
        {
            throw new PolicyCompilationException(path + "/id", $"key id '{key.Id}' is used twice");
        }

        var identity = new CallerIdentity("apiKey", key.Subject ?? key.Id, key.Tenant, [.. key.Groups], CredentialId: key.Id);
        if (!byHash.TryAdd(hash, IdentityResult.Success(identity)))
        {
            throw new PolicyCompilationException(path + "/sha256", $"key '{key.Id}' has the same hash as another key");
        }
    }
}

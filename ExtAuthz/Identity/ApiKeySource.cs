using System.Buffers;
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
internal sealed class ApiKeySource : IIdentitySource
{
    // Larger keys are hashed from a pooled buffer instead of the stack.
    private const int StackLimit = 512;

    private readonly string _header;
    private readonly Dictionary<string, IdentityResult>.AlternateLookup<ReadOnlySpan<char>> _byHash;

    private ApiKeySource(string header, Dictionary<string, IdentityResult> byHash)
    {
        _header = header;
        _byHash = byHash.GetAlternateLookup<ReadOnlySpan<char>>();
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
        var key = CredentialHeader.Read(context, _header);
        if (key is null)
        {
            return ValueTask.FromResult(IdentityResult.None);
        }

        Span<char> hex = stackalloc char[SHA256.HashSizeInBytes * 2];
        HashHex(key, hex);
        return ValueTask.FromResult(_byHash.TryGetValue(hex, out var result)
            ? result
            : IdentityResult.Reject("invalid_api_key", "The API key is not valid."));
    }

    private static void HashHex(string key, Span<char> hex)
    {
        var length = Encoding.UTF8.GetByteCount(key);
        var rented = length > StackLimit ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> utf8 = rented is null ? stackalloc byte[StackLimit] : rented;
        try
        {
            var written = Encoding.UTF8.GetBytes(key, utf8);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(utf8[..written], hash);
            Convert.TryToHexStringLower(hash, hex, out _);
        }
        finally
        {
            // The buffer held the key: clear it before it goes back to the pool.
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

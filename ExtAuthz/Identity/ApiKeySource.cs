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
        if (!CredentialHeader.TryRead(context, _header, out var key))
        {
            return ValueTask.FromResult(IdentityResult.None);
        }

        Span<char> hex = stackalloc char[CredentialHash.HexLength];
        CredentialHash.WriteHex(key, hex);
        return ValueTask.FromResult(_byHash.TryGetValue(hex, out var result)
            ? result
            : IdentityResult.Reject("invalid_api_key", "The API key is not valid."));
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

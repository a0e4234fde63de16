using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace EnvoyGovern.Governance.State;

/// <summary>A Lua script run by its SHA-1, loaded again with EVAL when the server does not have it cached.</summary>
/// <param name="text">The script.</param>
public sealed class RedisScript(string text)
{
    // Redis names scripts by their SHA-1; no security rests on it.
#pragma warning disable CA5350
    private readonly byte[] _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350

    /// <summary>The script text.</summary>
    public string Text { get; } = text;

    /// <summary>Runs the script on <paramref name="database"/>.</summary>
    public async Task<RedisResult> EvaluateAsync(IDatabase database, RedisKey[] keys, RedisValue[] args)
    {
        ArgumentNullException.ThrowIfNull(database);
        try
        {
            return await database.ScriptEvaluateAsync(_sha1, keys, args).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // Not in this server's script cache (restart, failover, SCRIPT FLUSH): EVAL loads it again.
            return await database.ScriptEvaluateAsync(Text, keys, args).ConfigureAwait(false);
        }
    }
}

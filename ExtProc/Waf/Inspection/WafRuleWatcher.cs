using System.IO.Hashing;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.ExtProc.Waf.Inspection;

/// <summary>
/// Reloads the WAF rules when their files change: every <see cref="WafOptions.ReloadPollInterval"/> it
/// hashes the content of the CRS setup, <c>rules/</c> and the user's rule files, and on a change asks
/// <see cref="WafRuleSetProvider.Reload"/>, which keeps the old rules if the new ones fail. Content, not
/// timestamps, because a ConfigMap volume changes by swapping a symlink to a new directory.
/// </summary>
internal sealed class WafRuleWatcher(WafRuleSetProvider provider, IOptions<WafOptions> options, TimeProvider time) : BackgroundService
{
    /// <summary>The content hash of the rule files as last seen (null when they could not be read).</summary>
    public ulong? LastSeen { get; private set; }

    /// <summary>One check: reloads when the files changed since the last check; true when it reloaded.</summary>
    public bool CheckOnce()
    {
        var now = TryHash(options.Value);
        if (now is null || now == LastSeen)
        {
            // Unreadable (kubelet between writing and swapping): the next poll sees the finished update.
            return false;
        }

        var first = LastSeen is null;
        LastSeen = now;
        return !first && provider.Reload();
    }

    /// <summary>Hashes the files the loader reads; null when a file could not be read.</summary>
    internal static ulong? TryHash(WafOptions options)
    {
        var hash = new XxHash64();
        try
        {
            foreach (var file in Files(options))
            {
                hash.Append(System.Text.Encoding.UTF8.GetBytes(file));
                hash.Append(File.Exists(file) ? File.ReadAllBytes(file) : [0xFF]);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return hash.GetCurrentHashAsUInt64();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ReloadPollInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        CheckOnce();
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            CheckOnce();
        }
    }

    private static IEnumerable<string> Files(WafOptions options)
    {
        if (!string.IsNullOrEmpty(options.CrsDirectory))
        {
            yield return Path.Combine(options.CrsDirectory, "crs-setup.conf");
            yield return Path.Combine(options.CrsDirectory, "crs-setup.conf.example");
            var rules = Path.Combine(options.CrsDirectory, "rules");
            if (Directory.Exists(rules))
            {
                foreach (var file in Directory.EnumerateFiles(rules).Order(StringComparer.Ordinal))
                {
                    yield return file;
                }
            }
        }

        foreach (var file in options.BeforeCrs.Concat(options.AfterCrs))
        {
            yield return file;
        }
    }
}

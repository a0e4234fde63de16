using System.Collections.Concurrent;
using System.Globalization;
using EnvoyGovern.Governance.Policy;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.Governance.TokenBudgets;

/// <summary>A token budget ready for counting (ExtProc) and enforcing (ExtAuthz).</summary>
public sealed class CompiledTokenBudget
{
    private const int MaxCachedTenants = 10_000;

    private readonly long _tokens;
    private readonly Dictionary<string, long> _tenants;
    private readonly long _windowMs;

    // Every Check of a tenant asks for the same key until its window ends: built once per tenant and window,
    // not per call. Keyed by the tenant, holding the window it was built for, so a stale key is never returned.
    // Bounded, since tenants come from credentials; past the bound a new tenant's key is built each time.
    private readonly ConcurrentDictionary<string, WindowKey> _keys = new(StringComparer.Ordinal);

    /// <summary>Compiles a validated spec.</summary>
    public CompiledTokenBudget(TokenBudgetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!Durations.TryParse(spec.Window, out var window) || window <= TimeSpan.Zero)
        {
            throw new ArgumentException($"token budget {spec.Name}: window '{spec.Window}' does not parse", nameof(spec));
        }

        Name = spec.Name;
        Count = spec.Count;
        Window = window;
        _windowMs = (long)window.TotalMilliseconds;
        _tokens = spec.Tokens;
        _tenants = new Dictionary<string, long>(spec.Tenants, StringComparer.Ordinal);
    }

    /// <summary>The budget's name.</summary>
    public string Name { get; }

    /// <summary>Which tokens count.</summary>
    public TokenCount Count { get; }

    /// <summary>The window length.</summary>
    public TimeSpan Window { get; }

    /// <summary>The budget of <paramref name="tenant"/> per window.</summary>
    public long LimitFor(string tenant) => _tenants.TryGetValue(tenant, out var tokens) ? tokens : _tokens;

    /// <summary>The tokens of one call that count.</summary>
    public long Counted(long? input, long? output) => Count switch
    {
        TokenCount.Input => input ?? 0,
        TokenCount.Output => output ?? 0,
        _ => (input ?? 0) + (output ?? 0),
    };

    /// <summary>The store key of <paramref name="tenant"/>'s count in the window holding <paramref name="now"/>.</summary>
    public string Key(string tenant, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var window = now.ToUnixTimeMilliseconds() / _windowMs;
        if (_keys.TryGetValue(tenant, out var cached) && cached.Window == window)
        {
            return cached.Key;
        }

        var key = string.Create(CultureInfo.InvariantCulture, $"{Name}:{tenant}:{window}");
        if (cached is not null || _keys.Count < MaxCachedTenants)
        {
            _keys[tenant] = new WindowKey(window, key);
        }

        return key;
    }

    /// <summary>How long until the window holding <paramref name="now"/> ends.</summary>
    public TimeSpan UntilWindowEnds(DateTimeOffset now)
    {
        var ms = now.ToUnixTimeMilliseconds();
        return TimeSpan.FromMilliseconds(_windowMs - (ms % _windowMs));
    }
}

/// <summary>A store key and the window it names.</summary>
internal sealed record WindowKey(long Window, string Key);

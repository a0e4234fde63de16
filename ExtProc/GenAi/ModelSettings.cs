using EnvoyGovern.Governance.Policy;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtProc.GenAi;

/// <summary>The <c>models</c> part of a host's inspection policy, compiled: per tenant, the models allowed and the cap.</summary>
internal sealed class ModelSettings
{
    private readonly Entry[] _entries;

    public ModelSettings(ModelGovernanceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        OverCap = spec.OverCap;
        _entries = [.. spec.Tenants.Select(t => new Entry([.. t.Tenants], [.. t.Models.Select(m => new Glob(m, ignoreCase: false))], t.MaxTokens))];
    }

    public TokenCapAction OverCap { get; }

    /// <summary>The first entry naming <paramref name="tenant"/> (or <c>*</c>); null: the tenant may call no model.</summary>
    public Entry? For(string? tenant) =>
        Array.Find(_entries, e => Array.Exists(e.Tenants, t => t == "*" || (tenant is not null && t == tenant)));

    internal sealed record Entry(string[] Tenants, Glob[] Models, long? MaxTokens)
    {
        public bool Allows(string model) => Models.Length == 0 || Array.Exists(Models, m => m.IsMatch(model));
    }
}

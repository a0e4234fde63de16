using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using EnvoyGovern.ExtAuthz.Access;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Canary;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtAuthz.Canary;

/// <summary>One canary of a model, compiled: cohort sets, threshold, the key its halts are kept under.</summary>
internal sealed class CompiledCanary
{
    private readonly HashSet<string>? _tenants;
    private readonly HashSet<string>? _groups;
    private readonly HashSet<string>? _regions;
    private readonly string? _optIn;
    private readonly string? _optOut;
    private readonly CanaryStickinessSpec _stickiness;
    private readonly string? _stickinessName;

    public CompiledCanary(string model, CanarySpec spec, string cluster)
    {
        Name = spec.Name;
        Version = spec.Version;
        Cluster = cluster;
        Model = model;
        Threshold = CanaryBucket.Threshold(spec.Weight);
        _tenants = Set(spec.Cohort?.Tenants);
        _groups = Set(spec.Cohort?.Groups);
        _regions = Set(spec.Cohort?.Regions);
        _optIn = spec.OptInHeader?.ToLowerInvariant();
        _optOut = spec.OptOutHeader?.ToLowerInvariant();
        _stickiness = spec.Stickiness;
        _stickinessName = spec.Stickiness.By == Governance.Policy.Model.StickinessKey.Header ? spec.Stickiness.Name?.ToLowerInvariant() : spec.Stickiness.Name;
        Key = new CanaryKey(model, spec.Name, Fingerprint(spec));
        Guardrails = spec.Guardrails;
    }

    public string Name { get; }

    public string Model { get; }

    public string Version { get; }

    public string Cluster { get; }

    /// <summary>Positions below this (in <see cref="CanaryBucket.Scale"/>) are in the canary.</summary>
    public ulong Threshold { get; }

    public CanaryKey Key { get; }

    public CanaryGuardrailsSpec? Guardrails { get; }

    public bool InCohort(RequestAttributes request)
    {
        var identity = request.Identity;
        return (_tenants is null || (identity?.Tenant is { } tenant && _tenants.Contains(tenant)))
            && (_groups is null || (identity is not null && CompiledMatch.AnyIn(identity.Groups, _groups)))
            && (_regions is null || (request.Region is { } region && _regions.Contains(region)));
    }

    public bool OptsIn(CheckContext context) => _optIn is not null && IsSet(context.GetHeader(_optIn));

    public bool OptsOut(CheckContext context) => _optOut is not null && IsSet(context.GetHeader(_optOut));

    /// <summary>The stickiness key of this request, or null when it has none (it then gets stable).</summary>
    public string? KeyOf(CheckContext context, RequestAttributes request) => _stickiness.By switch
    {
        StickinessKey.Subject => request.Identity?.Subject,
        StickinessKey.Tenant => request.Identity?.Tenant,
        StickinessKey.Header => NonEmpty(context.GetHeader(_stickinessName!)),
        StickinessKey.Cookie => Cookie(context.GetHeader("cookie"), _stickinessName!),
        _ => null,
    };

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static bool IsSet(string? value) =>
        value.AsSpan().Trim() is var text && (text is "1" || text.Equals("true", StringComparison.OrdinalIgnoreCase));

    // "a=1; session=xyz" -> "xyz" for name "session"; the first occurrence wins, as browsers send the most specific first.
    private static string? Cookie(string? header, string name)
    {
        if (header is null)
        {
            return null;
        }

        foreach (var part in header.Split([';', ','], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && part.AsSpan(0, equals).Trim().SequenceEqual(name))
            {
                return NonEmpty(part[(equals + 1)..].Trim().Trim('"'));
            }
        }

        return null;
    }

    private static HashSet<string>? Set(IReadOnlyList<string>? values) =>
        values is null || values.Count == 0 ? null : new HashSet<string>(values, StringComparer.Ordinal);

    // Every setting of the canary: a change to any of them is a new canary as far as halts go.
    private static string Fingerprint(CanarySpec spec) =>
        XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(spec, FingerprintJson.Options))).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    private static class FingerprintJson
    {
        public static readonly JsonSerializerOptions Options = new() { WriteIndented = false };
    }
}

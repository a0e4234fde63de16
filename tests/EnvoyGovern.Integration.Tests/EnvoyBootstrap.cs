using System.Globalization;
using System.Text.RegularExpressions;

namespace EnvoyGovern.Integration.Tests;

/// <summary>The shipped <c>envoy-config/envoy.yaml</c>, with its fixed ports moved to the ones a test picked.</summary>
internal static partial class EnvoyBootstrap
{
    // The bootstrap's own ports: listener, admin, ext_authz, ext_proc, upstream_stable, upstream_canary.
    public const int Listener = 10000;
    public const int Admin = 9901;
    public const int ExtAuthz = 9001;
    public const int ExtProc = 9002;
    public const int Stable = 8080;
    public const int Canary = 8081;

    /// <summary>The bootstrap as shipped, copied next to the test assembly by the project file.</summary>
    public static string Shipped => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "envoy-config", "envoy.yaml"));

    /// <summary>
    /// Replaces each <c>port_value</c> in <paramref name="ports"/>, in one pass so that a new port equal
    /// to another old one is not replaced twice. Every one must occur exactly once: if the bootstrap
    /// changes its ports, this fails loudly instead of leaving Envoy pointed at a port nobody listens on.
    /// </summary>
    public static string WithPorts(string yaml, IReadOnlyDictionary<int, int> ports)
    {
        var hits = ports.Keys.ToDictionary(port => port, _ => 0);
        var rewritten = PortValue().Replace(yaml, match =>
        {
            var port = int.Parse(match.Groups["port"].ValueSpan, CultureInfo.InvariantCulture);
            if (!ports.TryGetValue(port, out var replacement))
            {
                return match.Value;
            }

            hits[port]++;
            return string.Create(CultureInfo.InvariantCulture, $"port_value: {replacement}");
        });

        foreach (var (port, count) in hits)
        {
            if (count != 1)
            {
                throw new InvalidOperationException($"envoy.yaml has {count} 'port_value: {port}', expected exactly one");
            }
        }

        return rewritten;
    }

    [GeneratedRegex(@"\bport_value:\s*(?<port>[0-9]+)\b", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex PortValue();
}

using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace EnvoyGovern.Integration.Tests;

/// <summary>Envoy's admin API on the loopback port the bootstrap was given: readiness and counters.</summary>
public sealed class EnvoyAdmin(int port) : IDisposable
{
    private readonly HttpClient _client = new()
    {
        BaseAddress = new Uri($"http://127.0.0.1:{port}"),
        Timeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>True once Envoy reports LIVE (initialised, listeners up).</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _client.GetAsync(new Uri("/ready", UriKind.Relative), cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            // Not listening yet, or the caller's deadline passed: either way, not ready.
            return false;
        }
    }

    /// <summary>
    /// The value of one counter, e.g. <c>http.ingress_http.no_cluster</c>. A missing counter throws
    /// rather than reading as 0, so a misspelt name cannot pass a "nothing happened" assertion.
    /// </summary>
    public async Task<long> CounterAsync(string name)
    {
        var filter = Uri.EscapeDataString($"^{Regex.Escape(name)}$");
        var text = await _client.GetStringAsync(new Uri($"/stats?filter={filter}", UriKind.Relative));
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = line.LastIndexOf(": ", StringComparison.Ordinal);
            if (separator > 0 && line[..separator] == name)
            {
                return long.Parse(line[(separator + 2)..], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"Envoy has no counter '{name}'; /stats answered: {text}");
    }

    public void Dispose() => _client.Dispose();
}

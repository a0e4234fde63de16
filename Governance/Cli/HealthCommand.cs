namespace EnvoyGovern.Cli;

/// <summary>
/// <c>envoy-govern health [URL...]</c>: asks the admin endpoints whether the services are ready. The container
/// image's HEALTHCHECK runs it (the runtime image has no shell, curl or wget); operators can too.
/// </summary>
internal static class HealthCommand
{
    /// <summary>Exit code when an endpoint is unreachable or not ready.</summary>
    public const int Unhealthy = 1;

    public const string Usage = "usage: envoy-govern health [URL...]   (default: the readiness of both services on 127.0.0.1:9101 and :9102)";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private static readonly string[] Defaults = ["http://127.0.0.1:9101/readyz", "http://127.0.0.1:9102/readyz"];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var urls = new List<Uri>();
        foreach (var arg in args.Length == 0 ? Defaults : args)
        {
            if (!Uri.TryCreate(arg, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                await error.WriteLineAsync($"envoy-govern health: '{arg}' is not an http(s) URL\n{Usage}");
                return CommandLine.UsageError;
            }

            urls.Add(url);
        }

        using var client = new HttpClient { Timeout = Timeout };
        var healthy = true;
        foreach (var url in urls)
        {
            string state;
            try
            {
                using var response = await client.GetAsync(url);
                healthy &= response.IsSuccessStatusCode;
                state = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                healthy = false;
                state = $"unreachable ({ex.Message})";
            }

            await output.WriteLineAsync($"{url}: {state}");
        }

        return healthy ? CommandLine.Ok : Unhealthy;
    }
}

using System.Globalization;

namespace EnvoyGovern.Cli;

/// <summary><c>envoy-govern demo token ...</c>: a bearer token from the demo issuer, for trying the JWT identity source.</summary>
internal static class DemoCommand
{
    /// <summary>Exit code when the key file cannot be read or used (distinct from usage errors).</summary>
    public const int Failed = 1;

    public const string Usage = "usage: envoy-govern demo token --tenant T [--groups a,b] [--subject S] [--minutes N] [--key FILE]";

    private const int DefaultMinutes = 60;

    // A day at most: a long-lived token from a key everyone has is never what a demo needs.
    private const int MaxMinutes = 24 * 60;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Length == 0 || args[0] != "token" || Parse(args[1..]) is not { } request)
        {
            await error.WriteLineAsync(Usage);
            return CommandLine.UsageError;
        }

        string token;
        try
        {
            using var key = DemoTokenIssuer.LoadKey(request.KeyPath);
            token = DemoTokenIssuer.Sign(key, request.Claims, (time ?? TimeProvider.System).GetUtcNow());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            await error.WriteLineAsync($"envoy-govern demo token: {ex.Message}");
            return Failed;
        }

        // Only the token on stdout, so TOKEN=$(envoy-govern demo token ...) works.
        await output.WriteLineAsync(token);
        return CommandLine.Ok;
    }

    /// <summary>The options, or null when one is unknown, repeated, lacks a value, or --tenant is missing.</summary>
    private static TokenRequest? Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (args[i] is not ("--tenant" or "--groups" or "--subject" or "--minutes" or "--key")
                || i + 1 >= args.Length
                || string.IsNullOrWhiteSpace(args[i + 1])
                || !options.TryAdd(args[i], args[i + 1].Trim()))
            {
                return null;
            }
        }

        if (!options.TryGetValue("--tenant", out var tenant))
        {
            return null;
        }

        var minutes = DefaultMinutes;
        if (options.TryGetValue("--minutes", out var text)
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out minutes) || minutes is < 1 or > MaxMinutes))
        {
            return null;
        }

        string[] groups = options.TryGetValue("--groups", out var list)
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
        var subject = options.GetValueOrDefault("--subject", $"{tenant}-demo-user");
        var claims = new DemoTokenClaims(tenant, groups, subject, TimeSpan.FromMinutes(minutes));
        return new TokenRequest(claims, options.GetValueOrDefault("--key", DemoTokenIssuer.DefaultKeyPath));
    }

    private sealed record TokenRequest(DemoTokenClaims Claims, string KeyPath);
}

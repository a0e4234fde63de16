using Microsoft.Extensions.Logging.Abstractions;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>What compiling identity sources needs from the host.</summary>
public sealed class IdentitySourceContext
{
    /// <summary>Clock for token lifetimes and key refresh; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Client for JWKS URLs; takes precedence over <see cref="HttpClientFactory"/>.</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>Factory for JWKS clients (named <see cref="JwksHttpClientName"/>), when no <see cref="HttpClient"/> is given.</summary>
    public IHttpClientFactory? HttpClientFactory { get; init; }

    /// <summary>Directory that relative file paths (<c>keysFile</c>, <c>jwks.file</c>) are resolved against.</summary>
    public string BaseDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>Loggers for key refresh failures.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Path of the source inside the policy (such as <c>/spec/identity/0</c>), prefixed to error paths.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>The name under which JWKS clients are taken from <see cref="HttpClientFactory"/>.</summary>
    public const string JwksHttpClientName = "EnvoyGovern.Jwks";

    /// <summary>The same context for the source at <paramref name="path"/>.</summary>
    internal IdentitySourceContext At(string path) => new()
    {
        TimeProvider = TimeProvider,
        HttpClient = HttpClient,
        HttpClientFactory = HttpClientFactory,
        BaseDirectory = BaseDirectory,
        LoggerFactory = LoggerFactory,
        Path = path,
    };

    /// <summary>Resolves a policy file path against <see cref="BaseDirectory"/>.</summary>
    internal string ResolveFile(string path) => System.IO.Path.GetFullPath(path, BaseDirectory);
}

using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>Checks a <see cref="JwtSourceSpec"/> and builds its <see cref="JwtSource"/>.</summary>
internal static class JwtSourceFactory
{
    private static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MinRefresh = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxRefresh = TimeSpan.FromDays(1);

    // Used when the host gives neither a client nor a factory; recycles connections so DNS changes apply.
    private static readonly Lazy<HttpClient> SharedClient = new(() => new HttpClient(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    }));

    public static JwtSource Create(JwtSourceSpec spec, IdentitySourceContext context)
    {
        var path = context.Path + "/jwt";
        if (string.IsNullOrWhiteSpace(spec.Issuer))
        {
            throw new PolicyCompilationException(path + "/issuer", "issuer is required");
        }

        if (spec.Audiences.Any(string.IsNullOrWhiteSpace))
        {
            throw new PolicyCompilationException(path + "/audiences", "audiences must not be empty strings");
        }

        var header = CredentialHeader.Normalize(spec.Header, path + "/header");
        var algorithms = JwtValidation.Algorithms(spec.Algorithms, path + "/algorithms");
        var skew = DurationParser.Parse(spec.ClockSkew, path + "/clockSkew", TimeSpan.Zero, MaxClockSkew);
        var claims = new ClaimMapper(spec.Claims, "jwt", path + "/claims");
        var keys = Keys(spec.Jwks, context, path + "/jwks");
        return new JwtSource(spec, header, algorithms, skew, keys, claims, context.TimeProvider);
    }

    private static IJwksProvider Keys(JwksSpec jwks, IdentitySourceContext context, string path)
    {
        var given = (jwks.Inline is null ? 0 : 1) + (jwks.File is null ? 0 : 1) + (jwks.Url is null ? 0 : 1);
        if (given != 1)
        {
            throw new PolicyCompilationException(path, "set exactly one of inline, file or url");
        }

        if (jwks.Inline is not null)
        {
            return new StaticJwksProvider(Parse(jwks.Inline, context, path + "/inline"));
        }

        if (jwks.File is not null)
        {
            string text;
            try
            {
                text = File.ReadAllText(context.ResolveFile(jwks.File));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new PolicyCompilationException(path + "/file", $"cannot read JWKS file '{jwks.File}': {ex.Message}", ex);
            }

            return new StaticJwksProvider(Parse(text, context, path + "/file"));
        }

        if (!Uri.TryCreate(jwks.Url, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
        {
            throw new PolicyCompilationException(path + "/url", $"'{jwks.Url}' is not an absolute https URL; keys are only fetched over TLS");
        }

        var refresh = DurationParser.Parse(jwks.RefreshInterval, path + "/refreshInterval", MinRefresh, MaxRefresh);
        Func<HttpClient> client = context.HttpClient is { } given1 ? () => given1
            : context.HttpClientFactory is { } factory ? () => factory.CreateClient(IdentitySourceContext.JwksHttpClientName)
            : () => SharedClient.Value;
        var logger = context.LoggerFactory.CreateLogger<RemoteJwksProvider>();
        return new RemoteJwksProvider(url, client, context.TimeProvider, refresh, logger);
    }

    private static JwksKeySet Parse(string json, IdentitySourceContext context, string path)
    {
        try
        {
            return JwksKeySet.Parse(json, context.TimeProvider.GetUtcNow());
        }
        catch (FormatException ex)
        {
            throw new PolicyCompilationException(path, ex.Message, ex);
        }
    }
}

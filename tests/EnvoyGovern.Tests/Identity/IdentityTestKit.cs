using Envoy.Config.Core.V3;
using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.Governance.Policy.Model;
using Microsoft.Extensions.Time.Testing;

namespace EnvoyGovern.Tests.Identity;

/// <summary>Shared pieces of the identity tests: clock, contexts, requests, specs.</summary>
public static class IdentityTestKit
{
    public const string Issuer = "https://idp.example.com/";
    public const string Audience = "models-api";

    public static readonly DateTimeOffset Now = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);

    public static FakeTimeProvider Clock() => new(Now);

    public static IdentitySourceContext Context(TimeProvider? time = null, HttpClient? http = null, string? baseDirectory = null) => new()
    {
        TimeProvider = time ?? Clock(),
        HttpClient = http,
        BaseDirectory = baseDirectory ?? Path.GetTempPath(),
    };

    public static CheckContext Request(Action<EnvoyCheckRequestBuilder>? build = null)
    {
        var builder = new EnvoyCheckRequestBuilder();
        build?.Invoke(builder);
        return new CheckContext(builder.Build(), "decision-1", Now);
    }

    public static CheckContext Bearer(string token) => Request(b => b.Header("authorization", "Bearer " + token));

    public static CheckContext Metadata(Metadata metadata) => Request(b => b.MetadataContext(metadata));

    public static JwtSourceSpec JwtSpec(string jwks, params string[] algorithms) => new()
    {
        Issuer = Issuer,
        Audiences = [Audience],
        Jwks = new JwksSpec { Inline = jwks },
        Algorithms = algorithms.Length == 0 ? ["RS256", "ES256", "PS256"] : algorithms,
    };

    /// <summary>Compiles a jwt source; the caller disposes it.</summary>
    public static IIdentitySource Jwt(JwtSourceSpec spec, TimeProvider? time = null, HttpClient? http = null) =>
        IdentitySources.Create(new IdentitySourceSpec { Jwt = spec }, Context(time, http));

    public static async Task<IdentityResult> Authenticate(IIdentitySource source, CheckContext context) =>
        await source.AuthenticateAsync(context, CancellationToken.None);

    /// <summary>A temporary file removed when disposed.</summary>
    public sealed class TempFile : IDisposable
    {
        public TempFile(string content, string extension = ".yaml")
        {
            FullPath = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"eg-identity-{Guid.NewGuid():N}{extension}");
            File.WriteAllText(FullPath, content);
        }

        public string FullPath { get; }

        public string Name => System.IO.Path.GetFileName(FullPath);

        public void Dispose() => File.Delete(FullPath);
    }
}

using System.Security.Cryptography;
using Envoy.Service.Auth.V3;
using EnvoyGovern.Cli;
using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.TestSupport;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using AuthorizationClient = Envoy.Service.Auth.V3.Authorization.AuthorizationClient;

namespace EnvoyGovern.Tests.Cli;

/// <summary>
/// Tokens from <c>envoy-govern demo token</c>'s signing code, decided by the demo policy (envoy-config/policy)
/// over a real gRPC client. Tokens are minted against the system clock because the service uses it.
/// </summary>
public sealed class DemoJwtTests : IAsyncLifetime
{
    private static readonly string DemoKey = Path.Combine(RepoPaths.Root, DemoTokenIssuer.DefaultKeyPath);

    private RunningService _service = null!;

    private AuthorizationClient Client => new(_service.Channel);

    public async Task InitializeAsync() =>
        _service = await RunningService.StartExtAuthzAsync(null, $"--Policy:Directory={RepoPaths.SamplePolicy}");

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task Check_InitechToken_AllowedAsInitech()
    {
        var token = Mint(Initech());

        var response = await Client.CheckAsync(Chat(token).Header(GovernanceHeaders.Tenant, "forged").Build());

        Assert.Equal(0, response.Status.Code);
        Assert.Empty(CheckResponseRules.Validate(response));
        Assert.Equal("initech", Header(response, GovernanceHeaders.Tenant));
        Assert.Equal("initech-demo-user", Header(response, GovernanceHeaders.Subject));
    }

    [Fact]
    public async Task Check_InitechEarlyAccessToken_NewVersionAllowed()
    {
        var token = Mint(Initech() with { Groups = ["early-access"] });

        var response = await Client.CheckAsync(Chat(token, "gpt-4o-2024-11-20").Build());

        Assert.Equal(0, response.Status.Code);
        Assert.Equal("early-access", Header(response, GovernanceHeaders.Groups));
    }

    [Fact]
    public async Task Check_ApiKeyAndToken_ApiKeyDecides()
    {
        // The API-key source is listed first, so a request with both is the key's tenant.
        var response = await Client.CheckAsync(Chat(Mint(Initech())).Header("x-api-key", "demo-key-acme").Build());

        Assert.Equal(0, response.Status.Code);
        Assert.Equal("acme", Header(response, GovernanceHeaders.Tenant));
    }

    [Fact]
    public async Task Check_ExpiredToken_401TokenExpired()
    {
        // Issued two hours ago for one hour: expired well beyond the policy's 60s clock skew.
        var token = Mint(Initech(), DateTimeOffset.UtcNow.AddHours(-2));

        var response = await Client.CheckAsync(Chat(token).Build());

        AssertDenied(response, "token_expired");
    }

    [Fact]
    public async Task Check_TokenFromAnotherKey_401BadSignature()
    {
        // Same kid as the demo key, so the service tries that key and the signature fails.
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = DemoTokenIssuer.Sign(other, Initech(), DateTimeOffset.UtcNow);

        var response = await Client.CheckAsync(Chat(token).Build());

        AssertDenied(response, "bad_signature");
    }

    [Fact]
    public async Task Check_WrongAudience_401WrongAudience()
    {
        var token = Mint(Initech() with { Audience = "other.example.com" });

        var response = await Client.CheckAsync(Chat(token).Build());

        AssertDenied(response, "wrong_audience");
    }

    [Fact]
    public async Task Run_TenantAndGroups_PrintsTokenWithDemoClaims()
    {
        var now = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await DemoCommand.RunAsync(
            ["token", "--tenant", "initech", "--groups", "a, b", "--minutes", "5", "--key", DemoKey], output, error, new FakeTimeProvider(now));

        Assert.Equal(CommandLine.Ok, exit);
        var jwt = new JsonWebToken(output.ToString().Trim());
        Assert.Equal("ES256", jwt.Alg);
        Assert.Equal(DemoTokenIssuer.KeyId, jwt.Kid);
        Assert.Equal(DemoTokenIssuer.Issuer, jwt.Issuer);
        Assert.Equal([DemoTokenIssuer.Audience], jwt.Audiences);
        Assert.Equal("initech", jwt.GetClaim("tenant").Value);
        Assert.Equal(["a", "b"], jwt.Claims.Where(c => c.Type == "groups").Select(c => c.Value));
        Assert.Equal(now.AddMinutes(5).UtcDateTime, jwt.ValidTo);
    }

    [Theory]
    [InlineData("token")]
    [InlineData("token", "--tenant")]
    [InlineData("token", "--tenant", "initech", "--minutes", "0")]
    [InlineData("token", "--tenant", "initech", "--minutes", "1441")]
    [InlineData("token", "--tenant", "initech", "--tenant", "acme")]
    [InlineData("token", "--tenant", "initech", "--audience", "x")]
    [InlineData("tokens", "--tenant", "initech")]
    public async Task Run_BadArguments_UsageError(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await DemoCommand.RunAsync(args, output, error);

        Assert.Equal(CommandLine.UsageError, exit);
        Assert.Empty(output.ToString());
        Assert.StartsWith(DemoCommand.Usage, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_KeyFileNotAnEcKey_FailsWithMessage()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "not a key");
            using var output = new StringWriter();
            using var error = new StringWriter();

            var exit = await DemoCommand.RunAsync(["token", "--tenant", "initech", "--key", file], output, error);

            Assert.Equal(DemoCommand.Failed, exit);
            Assert.Empty(output.ToString());
            Assert.Contains("no usable EC private key", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static DemoTokenClaims Initech() => new("initech", [], "initech-demo-user", TimeSpan.FromHours(1));

    private static string Mint(DemoTokenClaims claims, DateTimeOffset? issuedAt = null)
    {
        using var key = DemoTokenIssuer.LoadKey(DemoKey);
        return DemoTokenIssuer.Sign(key, claims, issuedAt ?? DateTimeOffset.UtcNow);
    }

    private static EnvoyCheckRequestBuilder Chat(string token, string model = "gpt-4o") =>
        new EnvoyCheckRequestBuilder()
            .Method("POST").Path("/v1/chat/completions").Authority("api.example.com").Scheme("https")
            .Source("198.51.100.7", 40000)
            .Header("authorization", "Bearer " + token)
            .Body(System.Text.Encoding.UTF8.GetBytes($"{{\"model\":\"{model}\",\"messages\":[]}}"));

    private static string Header(CheckResponse response, string name) =>
        Assert.Single(response.OkResponse.Headers, h => h.Header.Key == name).Header.Value;

    private static void AssertDenied(CheckResponse response, string reason)
    {
        Assert.NotEqual(0, response.Status.Code);
        Assert.Equal(401, (int)response.DeniedResponse.Status.Code);
        Assert.Contains($"\"reason\":\"{reason}\"", response.DeniedResponse.Body, StringComparison.Ordinal);
        Assert.Contains(response.DeniedResponse.Headers, h => h.Header.Key == "www-authenticate");
        Assert.Empty(CheckResponseRules.Validate(response));
    }
}

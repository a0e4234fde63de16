using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.Governance.Decisions;
using EnvoyGovern.Governance.Policy.Model;
using static EnvoyGovern.Tests.Identity.IdentityTestKit;
using static EnvoyGovern.Tests.Identity.JwtSourceTests;

namespace EnvoyGovern.Tests.Identity;

public sealed class RemoteJwksTests : IDisposable
{
    private const string JwksUrl = "https://idp.example.com/.well-known/jwks.json";
    private static readonly TestKey KeyFirst = TestKey.Rsa("k1");
    private static readonly TestKey KeySecond = TestKey.EcP256("k2");
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock = Clock();
    private readonly FakeJwksHandler _idp;
    private readonly HttpClient _http;
    private readonly JwtSource _source;

    public RemoteJwksTests()
    {
        _idp = new FakeJwksHandler(TestKey.Jwks(KeyFirst));
        _http = _idp.Client();
        var spec = JwtSpec("unused") with { Jwks = new JwksSpec { Url = JwksUrl, RefreshInterval = "10m" } };
        _source = (JwtSource)Jwt(spec, _clock, _http);
    }

    public void Dispose()
    {
        _source.Dispose();
        _http.Dispose();
        _idp.Dispose();
    }

    [Fact]
    public async Task AuthenticateAsync_FirstUse_FetchesOnceAndCachesKeys()
    {
        Assert.Equal(0, _idp.Calls);

        var a = await Authenticate(_source, Bearer(KeyFirst.Sign(new TokenSpec())));
        var b = await Authenticate(_source, Bearer(KeyFirst.Sign(new TokenSpec { Claims = new() { ["sub"] = "bob" } })));

        Assert.Equal(IdentityOutcome.Authenticated, a.Outcome);
        Assert.Equal("bob", b.Identity!.Subject);
        Assert.Equal(1, _idp.Calls);
        Assert.Equal(JwksUrl, _idp.LastUri!.ToString());
    }

    [Fact]
    public async Task AuthenticateAsync_RefreshIntervalPassed_RefetchesInBackground()
    {
        await Authenticate(_source, Bearer(KeyFirst.Sign(new TokenSpec())));
        _idp.Serve(TestKey.Jwks(KeySecond));
        _clock.Advance(TimeSpan.FromMinutes(11));

        // Served from the old keys while the refresh runs.
        var during = await Authenticate(_source, Bearer(KeyFirst.Sign(new TokenSpec { Expires = Now.AddHours(1), Claims = new() { ["sub"] = "x" } })));
        await _idp.WaitForCallsAsync(2);
        var after = await WaitForOutcome(KeySecond.Sign(new TokenSpec { Expires = Now.AddHours(1) }), IdentityOutcome.Authenticated);

        Assert.Equal(IdentityOutcome.Authenticated, during.Outcome);
        Assert.Equal(IdentityOutcome.Authenticated, after.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_UnknownKid_RefetchesAtMostOncePer30Seconds()
    {
        await Authenticate(_source, Bearer(KeyFirst.Sign(new TokenSpec())));
        _idp.Serve(TestKey.Jwks(KeyFirst, KeySecond));

        var rotated = await Authenticate(_source, Bearer(KeySecond.Sign(new TokenSpec())));
        var forged = await Authenticate(_source, Bearer(TestKey.Rsa("k3").Sign(new TokenSpec())));
        var forgedAgain = await Authenticate(_source, Bearer(TestKey.Rsa("k4").Sign(new TokenSpec())));

        Assert.Equal(IdentityOutcome.Authenticated, rotated.Outcome);
        AssertRejected(forged, "unknown_key");
        AssertRejected(forgedAgain, "unknown_key");
        Assert.Equal(2, _idp.Calls);

        _clock.Advance(TimeSpan.FromSeconds(31));
        AssertRejected(await Authenticate(_source, Bearer(TestKey.Rsa("k5").Sign(new TokenSpec()))), "unknown_key");
        Assert.Equal(3, _idp.Calls);
    }

    [Fact]
    public async Task AuthenticateAsync_RefreshFails_KeepsLastGoodKeys()
    {
        await Authenticate(_source, Bearer(KeyFirst.Sign(new TokenSpec())));
        _idp.Fail();
        _clock.Advance(TimeSpan.FromMinutes(11));

        await Authenticate(_source, Bearer(KeyFirst.Sign(new TokenSpec { Expires = Now.AddHours(1), Claims = new() { ["sub"] = "a" } })));
        await _idp.WaitForCallsAsync(2);
        await Task.Delay(50);
        var result = await Authenticate(_source, Bearer(KeyFirst.Sign(new TokenSpec { Expires = Now.AddHours(1), Claims = new() { ["sub"] = "b" } })));

        Assert.Equal(IdentityOutcome.Authenticated, result.Outcome);
        Assert.Equal(2, _idp.Calls); // the failure backs off instead of refetching on every request
    }

    [Fact]
    public async Task AuthenticateAsync_NoKeysEverFetched_ThrowsDependencyUnavailable()
    {
        _idp.Fail();
        var token = Bearer(KeyFirst.Sign(new TokenSpec()));

        await Assert.ThrowsAsync<DependencyUnavailableException>(() => Authenticate(_source, token));
        await Assert.ThrowsAsync<DependencyUnavailableException>(() => Authenticate(_source, token));
        Assert.Equal(1, _idp.Calls);

        _idp.Serve(TestKey.Jwks(KeyFirst));
        _clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(IdentityOutcome.Authenticated, (await Authenticate(_source, token)).Outcome);
    }

    [Theory]
    [InlineData("<html>login</html>")]
    [InlineData("""{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}""")]
    public async Task AuthenticateAsync_JwksUrlServesNoUsableKeys_ThrowsDependencyUnavailable(string document)
    {
        _idp.Serve(document);

        await Assert.ThrowsAsync<DependencyUnavailableException>(() => Authenticate(_source, Bearer(KeyFirst.Sign(new TokenSpec()))));
    }

    [Fact]
    public async Task AuthenticateAsync_NoBearer_DoesNotFetch()
    {
        var result = await Authenticate(_source, Request());

        Assert.Equal(IdentityOutcome.NoCredentials, result.Outcome);
        Assert.Equal(0, _idp.Calls);
    }

    [Theory]
    [InlineData("http://idp.example.com/jwks")]
    [InlineData("idp.example.com/jwks")]
    [InlineData("file:///etc/jwks.json")]
    public void Create_UrlNotHttps_PolicyCompilationException(string url)
    {
        var spec = JwtSpec("unused") with { Jwks = new JwksSpec { Url = url } };

        var error = Assert.Throws<PolicyCompilationException>(() => Jwt(spec, _clock, _http));

        Assert.Equal("/jwt/jwks/url", error.Path);
    }

    private async Task<IdentityResult> WaitForOutcome(string token, IdentityOutcome outcome)
    {
        var result = default(IdentityResult);
        for (var i = 0; i < 100; i++)
        {
            result = await Authenticate(_source, Bearer(token));
            if (result.Outcome == outcome)
            {
                break;
            }

            await Task.Delay(10);
        }

        return result;
    }
}

using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.Governance.Decisions;
using EnvoyGovern.Governance.Policy.Model;
using static EnvoyGovern.Tests.Identity.IdentityTestKit;

namespace EnvoyGovern.Tests.Identity;

public sealed class IdentityResolverTests
{
    private static readonly CallerIdentity Alice = new("apiKey", "alice", "acme", []);

    [Fact]
    public async Task ResolveAsync_FirstAuthenticatedWins_LaterSourcesNotAsked()
    {
        var later = new FixedSource(IdentityResult.Reject("x", "x"));
        using var resolver = new IdentityResolver([new FixedSource(IdentityResult.None), new FixedSource(IdentityResult.Success(Alice)), later]);

        var result = await resolver.ResolveAsync(Request(), CancellationToken.None);

        Assert.Same(Alice, result.Identity);
        Assert.Equal(0, later.Calls);
    }

    [Fact]
    public async Task ResolveAsync_FirstRejectedStops_EvenIfLaterWouldAuthenticate()
    {
        var later = new FixedSource(IdentityResult.Success(Alice));
        using var resolver = new IdentityResolver([new FixedSource(IdentityResult.Reject("token_expired", "expired")), later]);

        var result = await resolver.ResolveAsync(Request(), CancellationToken.None);

        Assert.Equal(IdentityOutcome.Rejected, result.Outcome);
        Assert.Equal("token_expired", result.Reason);
        Assert.Equal(0, later.Calls);
    }

    [Fact]
    public async Task ResolveAsync_AllNoCredentials_Anonymous()
    {
        using var resolver = new IdentityResolver([new FixedSource(IdentityResult.None), new FixedSource(new IdentityResult(IdentityOutcome.NoCredentials, Reason: "missing_bearer"))]);

        var result = await resolver.ResolveAsync(Request(), CancellationToken.None);

        Assert.Equal(IdentityOutcome.NoCredentials, result.Outcome);
        Assert.Null(result.Identity);
    }

    [Fact]
    public async Task ResolveAsync_SourceDependencyDown_Throws()
    {
        using var resolver = new IdentityResolver([new ThrowingSource()]);

        await Assert.ThrowsAsync<DependencyUnavailableException>(() => resolver.ResolveAsync(Request(), CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Compile_MtlsThenApiKey_ResolvesByWhatTheRequestCarries()
    {
        using var resolver = IdentityResolver.Compile(
            [
                new IdentitySourceSpec { Mtls = new MtlsSourceSpec { Principals = [new PrincipalSpec { Match = "spiffe://td/sa/*", Tenant = "mesh" }] } },
                new IdentitySourceSpec { EnvoyJwt = new EnvoyJwtSourceSpec() },
            ],
            Context());

        var mesh = await resolver.ResolveAsync(Request(b => b.Principal("spiffe://td/sa/web")), CancellationToken.None);
        var stranger = await resolver.ResolveAsync(Request(b => b.Principal("spiffe://td/other/web")), CancellationToken.None);
        var anonymous = await resolver.ResolveAsync(Request(), CancellationToken.None);

        Assert.Equal("mesh", mesh.Identity!.Tenant);
        Assert.Equal("unknown_principal", stranger.Reason);
        Assert.Equal(IdentityOutcome.NoCredentials, anonymous.Outcome);
    }

    [Fact]
    public void Compile_BadSecondSource_PathUnderSpecIdentity()
    {
        var error = Assert.Throws<PolicyCompilationException>(() => IdentityResolver.Compile(
            [
                new IdentitySourceSpec { EnvoyJwt = new EnvoyJwtSourceSpec() },
                new IdentitySourceSpec { Jwt = JwtSpec("{}") with { ClockSkew = "60" } },
            ],
            Context()));

        Assert.Equal("/spec/identity/1/jwt/clockSkew", error.Path);
    }

    private sealed class FixedSource(IdentityResult result) : IIdentitySource
    {
        public int Calls { get; private set; }

        public string Kind => "fixed";

        public ValueTask<IdentityResult> AuthenticateAsync(CheckContext context, CancellationToken cancellationToken)
        {
            Calls++;
            return ValueTask.FromResult(result);
        }
    }

    private sealed class ThrowingSource : IIdentitySource
    {
        public string Kind => "throwing";

        public ValueTask<IdentityResult> AuthenticateAsync(CheckContext context, CancellationToken cancellationToken) =>
            throw new DependencyUnavailableException("jwks down");
    }
}

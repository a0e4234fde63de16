using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.Governance.Policy.Model;
using static EnvoyGovern.Tests.Identity.IdentityTestKit;

namespace EnvoyGovern.Tests.Identity;

public sealed class MtlsSourceTests
{
    private static readonly IIdentitySource Source = IdentitySources.Create(
        new IdentitySourceSpec
        {
            Mtls = new MtlsSourceSpec
            {
                Principals =
                [
                    new PrincipalSpec { Match = "spiffe://cluster.local/ns/team-a/sa/*", Tenant = "team-a", Groups = ["workloads"] },
                    new PrincipalSpec { Match = "spiffe://cluster.local/ns/*/sa/gateway", Tenant = "platform" },
                    new PrincipalSpec { Match = "batch-*.internal.example.com", Tenant = "batch" },
                ],
            },
        },
        Context());

    [Fact]
    public async Task AuthenticateAsync_SpiffeIdMatchesPattern_AuthenticatedAsPrincipal()
    {
        var result = await Authenticate(Source, Request(b => b.Principal("spiffe://cluster.local/ns/team-a/sa/trainer")));

        Assert.Equal(IdentityOutcome.Authenticated, result.Outcome);
        Assert.Equal("mtls", result.Identity!.Source);
        Assert.Equal("spiffe://cluster.local/ns/team-a/sa/trainer", result.Identity.Subject);
        Assert.Equal("team-a", result.Identity.Tenant);
        Assert.Equal(["workloads"], result.Identity.Groups);
    }

    [Fact]
    public async Task AuthenticateAsync_StarInMiddleSegment_MatchesThatSegmentOnly()
    {
        var gateway = await Authenticate(Source, Request(b => b.Principal("spiffe://cluster.local/ns/edge/sa/gateway")));
        var deeper = await Authenticate(Source, Request(b => b.Principal("spiffe://cluster.local/ns/edge/x/sa/gateway")));

        Assert.Equal("platform", gateway.Identity!.Tenant);
        JwtSourceTests.AssertRejected(deeper, "unknown_principal");
    }

    [Theory]
    [InlineData("spiffe://cluster.local/ns/team-a/sa/trainer/extra")]
    [InlineData("spiffe://cluster.local/ns/team-a/sa/")]
    [InlineData("spiffe://cluster.local/ns/team-b/sa/trainer")]
    [InlineData("spiffe://other.domain/ns/team-a/sa/trainer")]
    [InlineData("SPIFFE://cluster.local/ns/team-a/sa/trainer")]
    [InlineData("batch-.internal.example.com")]
    public async Task AuthenticateAsync_PrincipalNotMatching_UnknownPrincipal(string principal)
    {
        var result = await Authenticate(Source, Request(b => b.Principal(principal)));

        JwtSourceTests.AssertRejected(result, "unknown_principal");
    }

    [Fact]
    public async Task AuthenticateAsync_DnsSanPattern_Authenticated()
    {
        var result = await Authenticate(Source, Request(b => b.Principal("batch-7.internal.example.com")));

        Assert.Equal("batch", result.Identity!.Tenant);
    }

    [Fact]
    public async Task AuthenticateAsync_NoPrincipal_NoCredentials()
    {
        Assert.Equal(IdentityOutcome.NoCredentials, (await Authenticate(Source, Request())).Outcome);
    }

    [Theory]
    [InlineData("spiffe://td/ns/*/sa/*", "spiffe://td/ns/a/sa/b", true)]
    [InlineData("spiffe://td/ns/a-*-x/sa/b", "spiffe://td/ns/a-1-x/sa/b", true)]
    [InlineData("spiffe://td/ns/a-*-x/sa/b", "spiffe://td/ns/a-x/sa/b", false)]
    [InlineData("spiffe://td/ns/*-*/sa/b", "spiffe://td/ns/a-b-c/sa/b", true)]
    [InlineData("spiffe://td/ns/a", "spiffe://td/ns/a", true)]
    [InlineData("spiffe://td/ns/a", "spiffe://td/ns/a/", false)]
    [InlineData("spiffe://td/ns/*", "spiffe://td/ns", false)]
    public void PrincipalPattern_IsMatch_Expected(string pattern, string principal, bool expected)
    {
        Assert.Equal(expected, PrincipalPattern.Create(pattern, "/p").IsMatch(principal));
    }

    [Theory]
    [InlineData("spiffe://td/ns/**")]
    [InlineData("")]
    [InlineData("spiffe://td/ns/a b")]
    public void Create_BadPattern_PolicyCompilationException(string pattern)
    {
        var spec = new IdentitySourceSpec { Mtls = new MtlsSourceSpec { Principals = [new PrincipalSpec { Match = pattern, Tenant = "t" }] } };

        var error = Assert.Throws<PolicyCompilationException>(() => IdentitySources.Create(spec, Context()));

        Assert.Equal("/mtls/principals/0/match", error.Path);
    }
}

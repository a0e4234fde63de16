using Envoy.Config.Core.V3;
using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.Governance.Policy.Model;
using Google.Protobuf.WellKnownTypes;
using static EnvoyGovern.Tests.Identity.IdentityTestKit;

namespace EnvoyGovern.Tests.Identity;

public sealed class EnvoyJwtSourceTests
{
    private const string Namespace = "envoy.filters.http.jwt_authn";

    private static IIdentitySource Create(EnvoyJwtSourceSpec? spec = null) =>
        IdentitySources.Create(new IdentitySourceSpec { EnvoyJwt = spec ?? new EnvoyJwtSourceSpec() }, Context());

    /// <summary>The metadata jwt_authn writes with <c>payload_in_metadata: jwt_payload</c>.</summary>
    private static Metadata JwtAuthnMetadata(Struct payload, string key = "jwt_payload", string ns = Namespace)
    {
        var filter = new Struct();
        filter.Fields[key] = Value.ForStruct(payload);
        var metadata = new Metadata();
        metadata.FilterMetadata[ns] = filter;
        return metadata;
    }

    private static Struct Payload() => new()
    {
        Fields =
        {
            ["iss"] = Value.ForString("https://idp.example.com/"),
            ["sub"] = Value.ForString("alice"),
            ["tenant"] = Value.ForString("acme"),
            ["groups"] = Value.ForList(Value.ForString("ml"), Value.ForString("admins")),
            ["exp"] = Value.ForNumber(1_893_456_000),
            ["jti"] = Value.ForString("jti-7"),
        },
    };

    [Fact]
    public async Task AuthenticateAsync_PayloadInMetadata_Authenticated()
    {
        var result = await Authenticate(Create(), Metadata(JwtAuthnMetadata(Payload())));

        Assert.Equal(IdentityOutcome.Authenticated, result.Outcome);
        Assert.Equal(new CallerIdentity("envoyJwt", "alice", "acme", result.Identity!.Groups, CredentialId: "jti-7"), result.Identity);
        Assert.Equal(["ml", "admins"], result.Identity.Groups);
    }

    [Fact]
    public async Task AuthenticateAsync_CustomNamespaceKeyAndClaims_Mapped()
    {
        var payload = new Struct { Fields = { ["uid"] = Value.ForNumber(1042), ["org"] = Value.ForString("globex"), ["roles"] = Value.ForString("a b,c") } };
        var spec = new EnvoyJwtSourceSpec { Namespace = "authn", PayloadKey = "claims", Claims = new ClaimMappingSpec { Subject = "uid", Tenant = "org", Groups = "roles" } };

        var identity = (await Authenticate(Create(spec), Metadata(JwtAuthnMetadata(payload, "claims", "authn")))).Identity!;

        Assert.Equal("1042", identity.Subject);
        Assert.Equal("globex", identity.Tenant);
        Assert.Equal(["a", "b", "c"], identity.Groups);
    }

    [Fact]
    public async Task AuthenticateAsync_NoMetadataContext_NoCredentials()
    {
        Assert.Equal(IdentityOutcome.NoCredentials, (await Authenticate(Create(), Request())).Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_OtherFilterNamespaceOnly_NoCredentials()
    {
        var result = await Authenticate(Create(), Metadata(JwtAuthnMetadata(Payload(), ns: "envoy.filters.http.rbac")));

        Assert.Equal(IdentityOutcome.NoCredentials, result.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_PayloadKeyAbsent_NoCredentials()
    {
        var result = await Authenticate(Create(), Metadata(JwtAuthnMetadata(Payload(), key: "other_key")));

        Assert.Equal(IdentityOutcome.NoCredentials, result.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_PayloadNotAStruct_MalformedToken()
    {
        var filter = new Struct { Fields = { ["jwt_payload"] = Value.ForString("eyJ...") } };
        var metadata = new Metadata();
        metadata.FilterMetadata[Namespace] = filter;

        JwtSourceTests.AssertRejected(await Authenticate(Create(), Metadata(metadata)), "malformed_token");
    }

    [Fact]
    public async Task AuthenticateAsync_PayloadWithoutSubject_MissingSubject()
    {
        var payload = Payload();
        payload.Fields.Remove("sub");

        JwtSourceTests.AssertRejected(await Authenticate(Create(), Metadata(JwtAuthnMetadata(payload))), "missing_subject");
    }
}

using System.Security.Cryptography;
using System.Text;
using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.Governance.Policy.Model;
using static EnvoyGovern.Tests.Identity.IdentityTestKit;

namespace EnvoyGovern.Tests.Identity;

public sealed class ApiKeySourceTests
{
    private const string Key = "egk_live_3f9a1c0b7d2e4f6a8b";
    private const string FileKey = "egk_file_0123456789abcdef";

    private static string Sha(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static ApiKeySourceSpec Spec(string header = "x-api-key") => new()
    {
        Header = header,
        Keys = [new ApiKeySpec { Id = "ci-bot", Sha256 = Sha(Key), Tenant = "acme", Groups = ["ci"] }],
    };

    private static IIdentitySource Create(ApiKeySourceSpec spec, string? baseDirectory = null) =>
        IdentitySources.Create(new IdentitySourceSpec { ApiKey = spec }, Context(baseDirectory: baseDirectory));

    [Fact]
    public async Task AuthenticateAsync_KnownKey_AuthenticatedAsKeyIdentity()
    {
        var result = await Authenticate(Create(Spec()), Request(b => b.Header("x-api-key", Key)));

        Assert.Equal(IdentityOutcome.Authenticated, result.Outcome);
        Assert.Equal(new CallerIdentity("apiKey", "ci-bot", "acme", result.Identity!.Groups, CredentialId: "ci-bot"), result.Identity);
        Assert.Equal(["ci"], result.Identity.Groups);
    }

    [Fact]
    public async Task AuthenticateAsync_UnknownKey_InvalidApiKeyWithoutTheKey()
    {
        var result = await Authenticate(Create(Spec()), Request(b => b.Header("x-api-key", "egk_guess")));

        JwtSourceTests.AssertRejected(result, "invalid_api_key");
        Assert.DoesNotContain("egk_guess", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task AuthenticateAsync_MissingOrEmptyHeader_NoCredentials(string? value)
    {
        var context = Request(b =>
        {
            if (value is not null)
            {
                b.Header("x-api-key", value);
            }
        });

        Assert.Equal(IdentityOutcome.NoCredentials, (await Authenticate(Create(Spec()), context)).Outcome);
    }

    [Theory]
    [InlineData("Bearer ")]
    [InlineData("bearer ")]
    [InlineData("BEARER  ")]
    public async Task AuthenticateAsync_AuthorizationBearer_Authenticated(string scheme)
    {
        var result = await Authenticate(Create(Spec("Authorization")), Request(b => b.Header("authorization", scheme + Key)));

        Assert.Equal(IdentityOutcome.Authenticated, result.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_AuthorizationWithOtherScheme_NoCredentials()
    {
        var result = await Authenticate(Create(Spec("authorization")), Request(b => b.Header("authorization", "Basic " + Key)));

        Assert.Equal(IdentityOutcome.NoCredentials, result.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_RawHeaderMap_Authenticated()
    {
        var result = await Authenticate(Create(Spec()), Request(b => b.EncodeRawHeaders().Header("x-api-key", Key)));

        Assert.Equal(IdentityOutcome.Authenticated, result.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_VeryLongKey_RejectedNotThrown()
    {
        var result = await Authenticate(Create(Spec()), Request(b => b.Header("x-api-key", new string('k', 64 * 1024))));

        JwtSourceTests.AssertRejected(result, "invalid_api_key");
    }

    [Fact]
    public async Task AuthenticateAsync_KnownKeysAgainAmongOthers_SameIdentityAndOthersStillRejected()
    {
        var longKey = "egk_long_" + new string('q', 3000);
        var spec = Spec() with { Keys = [.. Spec().Keys, new ApiKeySpec { Id = "long", Sha256 = Sha(longKey), Tenant = "initech" }] };
        var source = Create(spec);

        for (var round = 0; round < 3; round++)
        {
            var known = await Authenticate(source, Request(b => b.Header("x-api-key", Key)));
            var knownLong = await Authenticate(source, Request(b => b.Header("x-api-key", longKey)));
            var nearMiss = await Authenticate(source, Request(b => b.Header("x-api-key", Key[..^1] + "c")));
            var longNearMiss = await Authenticate(source, Request(b => b.Header("x-api-key", longKey + "q")));

            Assert.Equal("ci-bot", known.Identity?.CredentialId);
            Assert.Equal("long", knownLong.Identity?.CredentialId);
            JwtSourceTests.AssertRejected(nearMiss, "invalid_api_key");
            JwtSourceTests.AssertRejected(longNearMiss, "invalid_api_key");
        }
    }

    [Fact]
    public async Task AuthenticateAsync_KeyFromKeysFile_Authenticated()
    {
        using var file = new TempFile($"""
            - id: batch-job
              sha256: {Sha(FileKey).ToUpperInvariant()}
              tenant: globex
              subject: svc-batch
              groups: [batch, readers]
            """);
        var spec = Spec() with { KeysFile = file.Name };
        var source = Create(spec, Path.GetDirectoryName(file.FullPath));

        var fromFile = await Authenticate(source, Request(b => b.Header("x-api-key", FileKey)));
        var inline = await Authenticate(source, Request(b => b.Header("x-api-key", Key)));

        Assert.Equal(new CallerIdentity("apiKey", "svc-batch", "globex", fromFile.Identity!.Groups, CredentialId: "batch-job"), fromFile.Identity);
        Assert.Equal(["batch", "readers"], fromFile.Identity.Groups);
        Assert.Equal(IdentityOutcome.Authenticated, inline.Outcome);
    }

    [Fact]
    public void Create_KeysFileMissing_PolicyCompilationException()
    {
        var error = Assert.Throws<PolicyCompilationException>(() => Create(Spec() with { KeysFile = "/nonexistent/keys.yaml" }));

        Assert.Equal("/apiKey/keysFile", error.Path);
    }

    [Fact]
    public void Create_KeysFileWithUnknownField_PolicyCompilationException()
    {
        using var file = new TempFile($"- id: x\n  sha265: {Sha(FileKey)}\n  tenant: t\n");

        var error = Assert.Throws<PolicyCompilationException>(() => Create(Spec() with { KeysFile = file.FullPath }));

        Assert.Equal("/apiKey/keysFile", error.Path);
    }

    [Fact]
    public void Create_KeysFileEntryWithoutHash_PathNamesEntry()
    {
        using var file = new TempFile($"- id: a\n  sha256: {Sha(FileKey)}\n  tenant: t\n- id: b\n  tenant: t\n");

        var error = Assert.Throws<PolicyCompilationException>(() => Create(Spec() with { KeysFile = file.FullPath }));

        Assert.Equal("/apiKey/keysFile[1]/sha256", error.Path);
    }

    [Theory]
    [InlineData("egk_live_plaintext_key")]
    [InlineData("abc")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    public void Create_HashNotSha256Hex_PolicyCompilationException(string hash)
    {
        var spec = new ApiKeySourceSpec { Keys = [new ApiKeySpec { Id = "k", Sha256 = hash, Tenant = "t" }] };

        var error = Assert.Throws<PolicyCompilationException>(() => Create(spec));

        Assert.Equal("/apiKey/keys/0/sha256", error.Path);
        Assert.DoesNotContain(hash, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_DuplicateHash_PolicyCompilationException()
    {
        var spec = Spec() with { Keys = [.. Spec().Keys, new ApiKeySpec { Id = "other", Sha256 = Sha(Key), Tenant = "t" }] };

        var error = Assert.Throws<PolicyCompilationException>(() => Create(spec));

        Assert.Equal("/apiKey/keys/1/sha256", error.Path);
    }

    [Fact]
    public void Create_NoKeys_PolicyCompilationException()
    {
        Assert.Throws<PolicyCompilationException>(() => Create(new ApiKeySourceSpec()));
    }
}

using EnvoyGovern.Governance.Policy.Loading;

namespace EnvoyGovern.Tests.Policy;

public sealed class PolicyLoaderTests
{
    private static PolicyLoadResult Load(params (string Name, string Text)[] files) => PolicyLoader.Load(files);

    [Fact]
    public void Load_ValidDocument_ReturnsSetWithContentVersion()
    {
        var result = Load(("a.yaml", PolicyTexts.AllowAll));

        Assert.True(result.IsValid, string.Join('\n', result.Errors));
        Assert.Equal(16, result.Set!.Version.Length);
        Assert.Equal(result.Hash[..16], result.Set.Version);
        Assert.Equal("allow-all", Assert.Single(result.Set.Documents).Document.Metadata.Name);
    }

    [Fact]
    public void Load_SameContentTwice_SameVersion()
    {
        Assert.Equal(Load(("a.yaml", PolicyTexts.AllowAll)).Hash, Load(("a.yaml", PolicyTexts.AllowAll)).Hash);
        Assert.NotEqual(Load(("a.yaml", PolicyTexts.AllowAll)).Hash, Load(("b.yaml", PolicyTexts.AllowAll)).Hash);
    }

    [Fact]
    public void Load_UnknownField_ErrorWithFileLineAndPath()
    {
        var text = PolicyTexts.Document("p", """
            rules:
              - name: r
                effect: allow
                whenn: {}
            """);

        var error = Assert.Single(Load(("p.yaml", text)).Errors);

        Assert.Equal("p.yaml", error.File);
        Assert.Equal(9, error.Line);
        Assert.Equal("/spec/rules/0/whenn", error.Path);
        Assert.Contains("unknown field 'whenn'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SeveralProblems_ReportsEveryOne()
    {
        var text = PolicyTexts.Document("p", """
            quotas:
              - name: q
                requestsPerSecond: 0
                burst: 0
            rules:
              - name: r
                effect: deny
                when:
                  sourceCidrs: [10.0.0.1/8, not-a-cidr]
                  methods: [get]
                  time: { after: "25:00", before: "18:00", timeZone: Mars/Olympus }
            """);

        var errors = Load(("p.yaml", text)).Errors;

        Assert.Contains(errors, e => e.Path == "/spec/quotas/0/requestsPerSecond");
        Assert.Contains(errors, e => e.Path == "/spec/quotas/0/burst");
        Assert.Contains(errors, e => e.Path == "/spec/rules/0/reason");
        Assert.Contains(errors, e => e.Path == "/spec/rules/0/when/sourceCidrs/0");
        Assert.Contains(errors, e => e.Path == "/spec/rules/0/when/sourceCidrs/1");
        Assert.Contains(errors, e => e.Path == "/spec/rules/0/when/methods/0");
        Assert.Contains(errors, e => e.Path == "/spec/rules/0/when/time/after");
        Assert.Contains(errors, e => e.Path == "/spec/rules/0/when/time/timeZone");
        Assert.All(errors, e => Assert.True(e.Line > 0, e.ToString()));
    }

    [Fact]
    public void Load_WrongTypesAndEnum_SchemaErrorsAtTheirPlace()
    {
        var text = PolicyTexts.Document("p", """
            dryRun: "yes"
            rules:
              - name: r
                effect: permit
            """);

        var errors = Load(("p.yaml", text)).Errors;

        Assert.Contains(errors, e => e.Path == "/spec/dryRun" && e.Line == 6);
        Assert.Contains(errors, e => e.Path == "/spec/rules/0/effect" && e.Line == 9);
    }

    [Fact]
    public void Load_DuplicateRuleAcrossFiles_ErrorNamesFirstPlace()
    {
        var a = PolicyTexts.Document("a", "rules:\n  - name: same\n    effect: allow\n");
        var b = PolicyTexts.Document("b", "rules:\n  - name: same\n    effect: allow\n");

        var error = Assert.Single(Load(("a.yaml", a), ("b.yaml", b)).Errors);

        Assert.Equal("b.yaml", error.File);
        Assert.Contains("a.yaml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WrongApiVersionAndBrokenYaml_ClearErrors()
    {
        var wrongVersion = PolicyTexts.AllowAll.Replace("governance.envoygovern.io/v1", "v2", StringComparison.Ordinal);

        var versionError = Assert.Single(Load(("a.yaml", wrongVersion)).Errors);
        var yamlError = Assert.Single(Load(("b.yaml", "spec: [unclosed")).Errors);

        Assert.Equal("/apiVersion", versionError.Path);
        Assert.Contains("governance.envoygovern.io/v1", versionError.Message, StringComparison.Ordinal);
        Assert.Contains("not valid YAML", yamlError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BacktrackingModelPattern_Rejected()
    {
        var text = PolicyTexts.Document("p", "models:\n  pathPattern: '^/v1/(?=x)(?<model>[a-z]+)$'\n");

        var error = Assert.Single(Load(("p.yaml", text)).Errors);

        Assert.Equal("/spec/models/pathPattern", error.Path);
    }

    [Fact]
    public void Load_ApiKeyOnAuthorizationBeforeJwt_ErrorAtJwtSource()
    {
        var text = PolicyTexts.Document("p", """
            identity:
              - apiKey: { header: authorization, keys: [] }
              - jwt: { issuer: https://issuer.example, jwks: { url: https://issuer.example/jwks } }
            """);

        var error = Assert.Single(Load(("p.yaml", text)).Errors);

        Assert.Equal("/spec/identity/1", error.Path);
        Assert.Contains("never accept", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoDocuments_Error()
    {
        Assert.Contains("no policy document", Assert.Single(Load(("a.yaml", "# empty\n")).Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GenerateSchema_CommittedSchema_IsUpToDate()
    {
        var committed = File.ReadAllText(Path.Combine(RepoRoot(), "Governance", "Policy", "policy.schema.json"));
        var generated = PolicyJson.GenerateSchema().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });

        Assert.Equal(generated.ReplaceLineEndings().Trim(), committed.ReplaceLineEndings().Trim());
    }

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory!.FullName, "EnvoyGovern.sln")))
        {
            directory = directory.Parent;
        }

        return directory.FullName;
    }
}

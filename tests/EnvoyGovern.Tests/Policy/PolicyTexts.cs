namespace EnvoyGovern.Tests.Policy;

/// <summary>Small policy documents for loader and decision tests.</summary>
internal static class PolicyTexts
{
    public const string AllowAll = TestSupport.PolicyDirectory.AllowAll;

    /// <summary>Allows everyone; a dry-run rule would deny DELETE (<c>block-deletes</c>, <c>deletes_blocked</c>).</summary>
    public static string DryRunDeleteDeny { get; } = Document("p", """
        rules:
          - name: everyone
            effect: allow
          - name: block-deletes
            effect: deny
            reason: deletes_blocked
            dryRun: true
            when: { methods: [DELETE] }
        """);

    public static string Document(string name, string spec) => $"""
        apiVersion: governance.envoygovern.io/v1
        kind: GovernancePolicy
        metadata:
          name: {name}
        spec:
        {Indent(spec, 2)}
        """;

    private static string Indent(string text, int spaces)
    {
        var pad = new string(' ', spaces);
        return string.Join('\n', text.Split('\n').Select(l => l.Length == 0 ? l : pad + l));
    }
}

namespace EnvoyGovern.Tests.Policy;

/// <summary>Small policy documents for loader and decision tests.</summary>
internal static class PolicyTexts
{
    public const string AllowAll = TestSupport.PolicyDirectory.AllowAll;

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

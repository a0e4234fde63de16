namespace EnvoyGovern.Governance.Policy.Loading;

/// <summary>One problem in a policy set, where it is and how to fix it.</summary>
/// <param name="File">File name within the policy directory.</param>
/// <param name="Line">1-based line, 0 when the problem has no single place.</param>
/// <param name="Column">1-based column, 0 when unknown.</param>
/// <param name="Path">JSON-pointer-like path inside the document, such as <c>/spec/rules/3/when/sourceCidrs/0</c>.</param>
/// <param name="Message">What is wrong, and how to fix it.</param>
public sealed record PolicyError(string File, int Line, int Column, string Path, string Message)
{
    /// <summary>The compiler-style form editors and CI logs understand: <c>file:line:column: path: message</c>.</summary>
    public override string ToString() => Line > 0
        ? $"{File}:{Line}:{Column}: {Path}: {Message}"
        : $"{File}: {Path}: {Message}";
}

using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.Governance.Policy;

/// <summary>A validated policy set: every document of the policy directory, and the version they make.</summary>
public sealed record PolicySet
{
    /// <summary>The first 16 hex digits of <see cref="Hash"/>: the version shown in headers, metrics and audit records.</summary>
    public required string Version { get; init; }

    /// <summary>SHA-256 over the file names and contents, in name order.</summary>
    public required string Hash { get; init; }

    /// <summary>The documents, in file then document order.</summary>
    public required IReadOnlyList<LoadedDocument> Documents { get; init; }

    /// <summary>An empty set: no document, so every request is denied (default deny).</summary>
    public static PolicySet Empty { get; } = new() { Version = "empty", Hash = "", Documents = [] };
}

/// <summary>A policy document and where it came from.</summary>
/// <param name="Document">The document.</param>
/// <param name="File">File name in the policy directory.</param>
/// <param name="Index">0-based position of the document in its file.</param>
public sealed record LoadedDocument(PolicyDocument Document, string File, int Index);

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.Governance.Policy.Loading;

/// <summary>The outcome of loading a policy directory: a valid set, or every error found.</summary>
/// <param name="Set">The set, when there is no error.</param>
/// <param name="Errors">Every error, with file, line and path.</param>
/// <param name="Hash">Content hash of the files read, valid or not (what reloads compare).</param>
public sealed record PolicyLoadResult(PolicySet? Set, IReadOnlyList<PolicyError> Errors, string Hash)
{
    /// <summary>True when the set is usable.</summary>
    public bool IsValid => Set is not null;
}

/// <summary>
/// Reads a policy directory (a mounted ConfigMap): every <c>*.yaml</c>/<c>*.yml</c> at its top level,
/// following kubelet's symlinks, skipping hidden entries such as <c>..data</c>. Validates everything
/// (YAML, schema, values, uniqueness across files) and returns all errors, or the set.
/// </summary>
public static class PolicyLoader
{
    /// <summary>Files larger than this are refused rather than read: a policy is text, not data.</summary>
    public const long MaxFileBytes = 4 * 1024 * 1024;

    /// <summary>Loads the directory.</summary>
    public static PolicyLoadResult LoadDirectory(string directory)
    {
        var errors = new List<PolicyError>();
        var files = ReadDirectory(directory, errors);
        return Load(files, errors);
    }

    /// <summary>The content hash of the directory, without parsing: what a reload compares first.</summary>
    public static string HashDirectory(string directory) => Hash(ReadDirectory(directory, []));

    private static List<(string Name, string Text)> ReadDirectory(string directory, List<PolicyError> errors)
    {
        var files = new List<(string Name, string Text)>();
        if (!Directory.Exists(directory))
        {
            errors.Add(new PolicyError(directory, 0, 0, "", "the policy directory does not exist; set Policy:Directory to the mounted ConfigMap"));
            return files;
        }

        foreach (var path in Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith('.') || !(name.EndsWith(".yaml", StringComparison.Ordinal) || name.EndsWith(".yml", StringComparison.Ordinal)) || !File.Exists(path))
            {
                continue;
            }

            var info = new FileInfo(path);
            var length = info.LinkTarget is null ? info.Length : new FileInfo(info.ResolveLinkTarget(returnFinalTarget: true)!.FullName).Length;
            if (length > MaxFileBytes)
            {
                errors.Add(new PolicyError(name, 0, 0, "", $"file is {length} bytes; policy files are limited to {MaxFileBytes}"));
                continue;
            }

            files.Add((name, File.ReadAllText(path, Encoding.UTF8)));
        }

        return files;
    }

    /// <summary>Loads policy files given as (name, text), in the given order.</summary>
    public static PolicyLoadResult Load(IReadOnlyList<(string Name, string Text)> files) => Load(files, []);

    private static PolicyLoadResult Load(IReadOnlyList<(string Name, string Text)> files, List<PolicyError> errors)
    {
        var hash = Hash(files);
        var documents = new List<(LoadedDocument, ErrorSink)>();
        foreach (var (name, text) in files)
        {
            foreach (var source in YamlDocumentReader.Read(name, text, errors))
            {
                if (source.Root is null)
                {
                    continue;
                }

                var sink = new ErrorSink(source, errors);
                var before = errors.Count;
                PolicySchemaValidator.Validate(source, errors);
                if (errors.Count > before)
                {
                    continue;
                }

                var document = Bind(source, sink);
                if (document is not null)
                {
                    DocumentValidation.Check(document, sink);
                    documents.Add((new LoadedDocument(document, name, source.Index), sink));
                }
            }
        }

        SetValidation.Check(documents);
        if (errors.Count == 0 && documents.Count == 0)
        {
            errors.Add(new PolicyError("", 0, 0, "", "no policy document found; add at least one *.yaml file with kind GovernancePolicy"));
        }

        if (errors.Count > 0)
        {
            return new PolicyLoadResult(null, errors, hash);
        }

        var set = new PolicySet { Version = hash[..16], Hash = hash, Documents = [.. documents.Select(d => d.Item1)] };
        return new PolicyLoadResult(set, [], hash);
    }

    private static PolicyDocument? Bind(SourceDocument source, ErrorSink sink)
    {
        try
        {
            return source.Root.Deserialize<PolicyDocument>(PolicyJson.Options);
        }
        catch (JsonException ex)
        {
            // The schema passed, so this is rare (for example a number out of range); JSON paths
            // ($.spec.rules[0].status) become pointers to place it.
            sink.Add(ToPointer(ex.Path), ex.Message);
            return null;
        }
    }

    private static string ToPointer(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$")
        {
            return "";
        }

        var builder = new StringBuilder();
        foreach (var part in jsonPath.TrimStart('$').Split(['.', '['], StringSplitOptions.RemoveEmptyEntries))
        {
            builder.Append('/').Append(part.TrimEnd(']').Trim('\''));
        }

        return builder.ToString();
    }

    private static string Hash(IReadOnlyList<(string Name, string Text)> files)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, text) in files)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(name));
            sha.AppendData([0]);
            sha.AppendData(Encoding.UTF8.GetBytes(text));
            sha.AppendData([0]);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}

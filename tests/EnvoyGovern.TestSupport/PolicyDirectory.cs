namespace EnvoyGovern.TestSupport;

/// <summary>A temporary policy directory for a test, laid out like a mounted ConfigMap when asked.</summary>
public sealed class PolicyDirectory : IDisposable
{
    /// <summary>A policy that allows every request, for tests about something other than policy.</summary>
    public const string AllowAll = """
        apiVersion: governance.envoygovern.io/v1
        kind: GovernancePolicy
        metadata:
          name: allow-all
        spec:
          rules:
            - name: everyone
              effect: allow
        """;

    public PolicyDirectory(params (string Name, string Text)[] files)
    {
        Path = Directory.CreateTempSubdirectory("envoygovern-policy-").FullName;
        foreach (var (name, text) in files)
        {
            File.WriteAllText(System.IO.Path.Combine(Path, name), text);
        }
    }

    public string Path { get; }

    /// <summary>The configuration argument that points a service at this directory.</summary>
    public string Setting => $"--Policy:Directory={Path}";

    public void Write(string name, string text) => File.WriteAllText(System.IO.Path.Combine(Path, name), text);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A watcher may still hold the directory for a moment; the temp folder is cleaned eventually.
        }
    }
}

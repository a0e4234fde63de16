namespace EnvoyGovern.EnvoyConfig.Tests;

/// <summary>Finds files of the repository from wherever the test assembly runs.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string EnvoyYaml => Path.Combine(Root, "envoy-config", "envoy.yaml");

    public static string EnvoyMtlsYaml => Path.Combine(Root, "envoy-config", "envoy-mtls.yaml");

    // bin/ sits at different depths per configuration; the solution file marks the root.
    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EnvoyGovern.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No EnvoyGovern.sln above {AppContext.BaseDirectory}");
    }
}

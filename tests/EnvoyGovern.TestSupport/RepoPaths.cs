namespace EnvoyGovern.TestSupport;

/// <summary>Places in the repository that tests read.</summary>
public static class RepoPaths
{
    /// <summary>The repository root (the folder with EnvoyGovern.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The README's demo policy.</summary>
    public static string SamplePolicy => Path.Combine(Root, "envoy-config", "policy");

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "EnvoyGovern.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("EnvoyGovern.sln not found above the test directory");
    }
}

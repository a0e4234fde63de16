namespace EnvoyGovern.TestSupport;

/// <summary>Places in the repository that tests read.</summary>
public static class RepoPaths
{
    /// <summary>The repository root (the folder with EnvoyGovern.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The README's demo policy.</summary>
    public static string SamplePolicy => Path.Combine(Root, "envoy-config", "policy");

    /// <summary>
    /// The shared read-only data beside the repository (<c>../shared/data</c>, with the CRS rules and
    /// regression tests). A clone that is not beside it sets <c>ENVOYGOVERN_SHARED_DATA</c>.
    /// </summary>
    public static string SharedData { get; } =
        Environment.GetEnvironmentVariable("ENVOYGOVERN_SHARED_DATA") is { Length: > 0 } shared
            ? shared
            : Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));

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

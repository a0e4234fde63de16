namespace EnvoyGovern.TestSupport;

/// <summary>Places in the repository that tests read.</summary>
public static class RepoPaths
{
    /// <summary>The repository root (the folder with EnvoyGovern.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// The shared read-only data beside the repository (<c>../shared</c>): found through
    /// <c>ENVOYGOVERN_SHARED</c> if set, else beside the repository root, else at <c>/work/shared</c> (for a
    /// working copy cloned elsewhere).
    /// </summary>
    public static string Shared { get; } = FindShared();

    /// <summary>The ECS field list (<c>data/ecs/fields.csv</c>).</summary>
    public static string EcsFields => Path.Combine(Shared, "data", "ecs", "fields.csv");

    /// <summary>The README's demo policy.</summary>
    public static string SamplePolicy => Path.Combine(Root, "envoy-config", "policy");

    private static string FindShared()
    {
        string?[] candidates =
        [
            Environment.GetEnvironmentVariable("ENVOYGOVERN_SHARED"),
            Path.GetFullPath(Path.Combine(Root, "..", "shared")),
            "/work/shared",
        ];
        foreach (var candidate in candidates)
        {
            if (!string.IsNullOrEmpty(candidate) && Directory.Exists(Path.Combine(candidate, "data")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"the shared data (shared/data) was found neither through ENVOYGOVERN_SHARED, nor beside {Root}, nor at /work/shared");
    }

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

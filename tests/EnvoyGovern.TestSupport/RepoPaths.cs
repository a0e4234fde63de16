namespace EnvoyGovern.TestSupport;

/// <summary>Places in the repository that tests read.</summary>
public static class RepoPaths
{
    /// <summary>The repository root (the folder with EnvoyGovern.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// The shared read-only data beside the project (<c>../shared</c> from the root). A clone elsewhere finds
    /// it through <c>ENVOYGOVERN_SHARED</c>, or in the nearest folder above the root that holds <c>shared/data</c>.
    /// </summary>
    public static string Shared { get; } = FindShared();

    /// <summary>The ECS field list (<c>data/ecs/fields.csv</c>).</summary>
    public static string EcsFields => Path.Combine(Shared, "data", "ecs", "fields.csv");

    /// <summary>The README's demo policy.</summary>
    public static string SamplePolicy => Path.Combine(Root, "envoy-config", "policy");

    /// <summary>OWASP CRS v4.28.0: crs-setup.conf.example, rules/, tests/regression/tests/.</summary>
    public static string Crs => Path.Combine(Shared, "data", "crs");

    /// <summary>The shared data folder (<c>../shared/data</c>): CRS, ECS field list, ingress CRDs.</summary>
    public static string SharedData => Path.Combine(Shared, "data");

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "EnvoyGovern.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("EnvoyGovern.sln not found above the test directory");
    }

    private static string FindShared()
    {
        var configured = Environment.GetEnvironmentVariable("ENVOYGOVERN_SHARED");
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.GetFullPath(configured);
        }

        for (var directory = new DirectoryInfo(Root).Parent; directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "data")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"no shared/data beside {Root} or above it; set ENVOYGOVERN_SHARED to the shared folder");
    }
}

namespace EnvoyGovern.LoadRequests;

/// <summary>The repository root: the nearest directory above the program that holds EnvoyGovern.sln.</summary>
internal static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "EnvoyGovern.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("EnvoyGovern.sln not found above " + AppContext.BaseDirectory);
    }
}

using EnvoyGovern.Cli;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Cli;

/// <summary>Runs <c>envoy-govern policy ...</c> in process and keeps what it printed.</summary>
internal sealed record PolicyCommandRun(int ExitCode, string Output, string Error)
{
    public static async Task<PolicyCommandRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await PolicyCommand.RunAsync(args, output, error);
        return new PolicyCommandRun(exit, output.ToString(), error.ToString());
    }

    /// <summary>A copy of the sample policy with its tests, to change one thing in.</summary>
    public static PolicyDirectory CopySamplePolicy()
    {
        var directory = new PolicyDirectory();
        foreach (var file in Directory.EnumerateFiles(RepoPaths.SamplePolicy, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(directory.Path, Path.GetRelativePath(RepoPaths.SamplePolicy, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return directory;
    }

    public static void WriteTests(PolicyDirectory directory, string name, string text)
    {
        Directory.CreateDirectory(Path.Combine(directory.Path, "tests"));
        File.WriteAllText(Path.Combine(directory.Path, "tests", name), text);
    }
}

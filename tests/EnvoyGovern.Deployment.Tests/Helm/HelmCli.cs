using System.Diagnostics;

namespace EnvoyGovern.Deployment.Tests.Helm;

/// <summary>The outcome of one helm command.</summary>
internal sealed record HelmResult(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;

    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
}

/// <summary>
/// The real helm binary: <c>helm/tools/bin/helm</c>, installed by <c>helm/tools/install.sh</c> from the pinned
/// npm package (<c>.ci/run</c> runs it), or the one <c>ENVOYGOVERN_HELM</c> names. Each call gets throwaway
/// cache, config and data directories, so nothing from the user's helm setup (plugins, repositories) leaks in.
/// </summary>
internal static class HelmCli
{
    public const string Variable = "ENVOYGOVERN_HELM";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static string Chart => Path.Combine(RepoPaths.Root, "helm", "envoy-govern");

    public static string? Binary
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable(Variable);
            var path = string.IsNullOrEmpty(configured) ? Path.Combine(RepoPaths.Root, "helm", "tools", "bin", "helm") : configured;
            return File.Exists(path) ? path : null;
        }
    }

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static HelmResult Run(params string[] arguments)
    {
        var binary = Binary ?? throw new InvalidOperationException(
            $"helm is not installed: run helm/tools/install.sh (or set {Variable}); CI=true requires the chart tests to run.");
        var home = Directory.CreateTempSubdirectory("envoygovern-helm-");
        try
        {
            var start = new ProcessStartInfo(binary)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            foreach (var (name, folder) in new[] { ("HELM_CACHE_HOME", "cache"), ("HELM_CONFIG_HOME", "config"), ("HELM_DATA_HOME", "data") })
            {
                start.Environment[name] = Path.Combine(home.FullName, folder);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"helm {string.Join(' ', arguments)} did not finish within {Timeout}");
            }

            return new HelmResult(process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }
}

using System.Text.Json;
using EnvoyGovern.Governance.Policy.Loading;

namespace EnvoyGovern.Cli;

/// <summary><c>envoy-govern policy ...</c>: tools for policy authors and CI.</summary>
internal static class PolicyCommand
{
    /// <summary>Exit code when the policy is invalid (distinct from usage errors, for CI).</summary>
    public const int Invalid = 1;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var sub = args.Length > 0 ? args[0] : "";
        switch (sub)
        {
            case "schema":
                await output.WriteLineAsync(PolicyJson.GenerateSchema().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return CommandLine.Ok;
            case "lint" when args.Length == 2:
                return await LintAsync(args[1], output, error);
            default:
                await error.WriteLineAsync("usage: envoy-govern policy lint DIR | policy schema");
                return CommandLine.UsageError;
        }
    }

    private static async Task<int> LintAsync(string directory, TextWriter output, TextWriter error)
    {
        var result = PolicyLoader.LoadDirectory(directory);
        if (result.Set is { } set)
        {
            await output.WriteLineAsync($"policy {set.Version}: {set.Documents.Count} document(s) valid");
            return CommandLine.Ok;
        }

        foreach (var problem in result.Errors)
        {
            await error.WriteLineAsync(problem.ToString());
        }

        await error.WriteLineAsync($"{result.Errors.Count} error(s); the policy would not be loaded");
        return Invalid;
    }
}

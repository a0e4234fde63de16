using System.Text.Json;
using EnvoyGovern.Cli.PolicyTesting;
using EnvoyGovern.Governance.Policy.Loading;

namespace EnvoyGovern.Cli;

/// <summary><c>envoy-govern policy ...</c>: tools for policy authors and CI.</summary>
internal static class PolicyCommand
{
    /// <summary>Exit code when the policy is invalid or a policy test fails (distinct from usage errors, for CI).</summary>
    public const int Invalid = 1;

    public const string Usage = "usage: envoy-govern policy lint DIR | policy test DIR | policy explain DIR --request FILE | policy schema";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var sub = args.Length > 0 ? args[0] : "";
        switch (sub)
        {
            case "schema":
                await output.WriteLineAsync(PolicyJson.GenerateSchema().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return CommandLine.Ok;
            case "lint" when args.Length == 2:
                return await LintAsync(args[1], output, error);
            case "test" when args.Length == 2:
                return await PolicyTestRunner.RunAsync(args[1], output, error);
            case "explain" when args.Length == 4 && args[2] == "--request":
                return await PolicyExplainCommand.RunAsync(args[1], args[3], output, error);
            case "explain" when args.Length == 4 && args[1] == "--request":
                return await PolicyExplainCommand.RunAsync(args[3], args[2], output, error);
            default:
                await error.WriteLineAsync(Usage);
                return CommandLine.UsageError;
        }
    }

    /// <summary>Every error as <c>file:line:column: path: message</c>, then the count: what lint, test and explain print.</summary>
    public static async Task WriteErrorsAsync(IReadOnlyList<PolicyError> errors, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(error);
        foreach (var problem in errors)
        {
            await error.WriteLineAsync(problem.ToString());
        }

        await error.WriteLineAsync($"{errors.Count} error(s); the policy would not be loaded");
    }

    private static async Task<int> LintAsync(string directory, TextWriter output, TextWriter error)
    {
        var result = PolicyLoader.LoadDirectory(directory);
        if (result.Set is { } set)
        {
            await output.WriteLineAsync($"policy {set.Version}: {set.Documents.Count} document(s) valid");
            return CommandLine.Ok;
        }

        await WriteErrorsAsync(result.Errors, error);
        return Invalid;
    }
}

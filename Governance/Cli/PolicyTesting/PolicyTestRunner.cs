using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Decisions;

namespace EnvoyGovern.Cli.PolicyTesting;

/// <summary>
/// <c>envoy-govern policy test DIR</c>: runs every <c>DIR/tests/*.yaml</c> against the policy in DIR.
/// One line per test, then <c>N passed, N failed</c>. Files run in name order, tests in file order,
/// each file with fresh quota buckets.
/// </summary>
internal static class PolicyTestRunner
{
    public const string TestsFolder = "tests";

    public static async Task<int> RunAsync(string directory, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        using var harness = PolicyHarness.Load(directory, out var policyErrors);
        if (harness is null)
        {
            await PolicyCommand.WriteErrorsAsync(policyErrors, error);
            return PolicyCommand.Invalid;
        }

        var folder = Path.Combine(directory, TestsFolder);
        var files = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray()
            : [];
        if (files.Length == 0)
        {
            // A CI gate that tests nothing is almost always a wrong path, so it fails.
            await error.WriteLineAsync($"no test files: add {Path.Combine(folder, "*.yaml")}");
            return PolicyCommand.Invalid;
        }

        int passed = 0, failed = 0;
        foreach (var file in files)
        {
            var name = Path.Combine(directory, TestsFolder, Path.GetFileName(file));
            var errors = new List<string>();
            var tests = TestFileReader.ReadTests(name, await File.ReadAllTextAsync(file, cancellationToken), errors);
            if (errors.Count > 0)
            {
                // A file with errors runs none of its tests: a half-read test would test less than it says.
                foreach (var problem in errors)
                {
                    await error.WriteLineAsync(problem);
                }

                await output.WriteLineAsync($"FAIL {name}: {errors.Count} error(s) in the test file");
                failed++;
                continue;
            }

            var pipeline = harness.CreatePipeline(harness.CreateQuotaStore());
            foreach (var test in tests)
            {
                var differences = await RunTestAsync(harness, pipeline, test, cancellationToken);
                await output.WriteLineAsync(differences.Count == 0 ? $"PASS {test.Name}" : $"FAIL {test.Name}: {string.Join("; ", differences)}");
                if (differences.Count == 0)
                {
                    passed++;
                }
                else
                {
                    failed++;
                }
            }
        }

        await output.WriteLineAsync($"{passed} passed, {failed} failed");
        return failed == 0 ? CommandLine.Ok : PolicyCommand.Invalid;
    }

    private static async Task<IReadOnlyList<string>> RunTestAsync(PolicyHarness harness, DecisionPipeline pipeline, PolicyTestCase test, CancellationToken cancellationToken)
    {
        harness.Clock.Fixed = test.Time;
        try
        {
            ObservedDecision? observed = null;
            for (var i = 0; i < test.Repeat; i++)
            {
                var (_, _, response) = await harness.DecideAsync(pipeline, test.Request, cancellationToken);
                observed = ObservedDecision.From(response);
            }

            return ExpectationMatcher.Differences(test.Expect, observed!);
        }
        catch (Exception ex) when (ex is DependencyUnavailableException or InvalidDataException)
        {
            // The service would answer UNAVAILABLE / INVALID_ARGUMENT: no decision to compare.
            return [$"expected {test.Expect.Decision}, got an error: {ex.Message}"];
        }
        finally
        {
            harness.Clock.Fixed = null;
        }
    }
}

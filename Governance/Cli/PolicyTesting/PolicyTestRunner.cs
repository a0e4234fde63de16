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
        InspectionHarness? inspection = null;
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
                if (test.Inspection is not null && inspection is null)
                {
                    // Compiled once, only when some file has ExtProc tests.
                    inspection = InspectionHarness.Load(directory, harness.Clock, out var inspectionErrors)
                        ?? throw new InvalidOperationException(string.Join("; ", inspectionErrors));
                }

                var differences = test.Inspection is { } inspect
                    ? await RunInspectionAsync(inspection!, harness.Clock, test, inspect, cancellationToken)
                    : await RunTestAsync(harness, pipeline, test, cancellationToken);
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

        inspection?.Dispose();
        await output.WriteLineAsync($"{passed} passed, {failed} failed");
        return failed == 0 ? CommandLine.Ok : PolicyCommand.Invalid;
    }

    private static async Task<IReadOnlyList<string>> RunInspectionAsync(InspectionHarness harness, TestClock clock, PolicyTestCase test, InspectionTest inspect, CancellationToken cancellationToken)
    {
        var outcome = await harness.RunAsync(test.Request, inspect.Response, test.Time ?? clock.GetUtcNow(), cancellationToken);
        var differences = new List<string>(ExpectationMatcher.Differences(test.Expect, outcome.Decision));
        if (inspect.Expect.RequestBody is { } request && request != outcome.RequestBody)
        {
            differences.Add($"expected the upstream to receive {request}, got {outcome.RequestBody ?? "no body"}");
        }

        if (inspect.Expect.ResponseBody is { } response && response != outcome.ResponseBody)
        {
            differences.Add($"expected the client to receive {response}, got {outcome.ResponseBody ?? "no body"}");
        }

        foreach (var rule in inspect.Expect.Findings.Where(r => !outcome.Findings.Contains(r, StringComparer.Ordinal)))
        {
            differences.Add($"expected a finding {rule}, got [{string.Join(", ", outcome.Findings.Distinct(StringComparer.Ordinal))}]");
        }

        return differences;
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

using EnvoyGovern.Governance.Decisions;

namespace EnvoyGovern.Cli.PolicyTesting;

/// <summary>
/// <c>envoy-govern policy explain DIR --request FILE</c>: the decision for one request, decided by the
/// real pipeline, followed by the trace of how the policy saw it.
/// </summary>
internal static class PolicyExplainCommand
{
    public static async Task<int> RunAsync(string directory, string requestFile, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(requestFile))
        {
            await error.WriteLineAsync($"{requestFile}: no such request file");
            return CommandLine.UsageError;
        }

        var errors = new List<string>();
        var (request, time) = TestFileReader.ReadRequestFile(requestFile, await File.ReadAllTextAsync(requestFile, cancellationToken), errors);
        if (request is null || errors.Count > 0)
        {
            foreach (var problem in errors)
            {
                await error.WriteLineAsync(problem);
            }

            return PolicyCommand.Invalid;
        }

        using var harness = PolicyHarness.Load(directory, out var policyErrors);
        if (harness is null)
        {
            await PolicyCommand.WriteErrorsAsync(policyErrors, error);
            return PolicyCommand.Invalid;
        }

        harness.Clock.Fixed = time;
        try
        {
            var (context, decision, response) = await harness.DecideAsync(harness.CreatePipeline(harness.CreateQuotaStore()), request, cancellationToken);
            var observed = ObservedDecision.From(response);
            await output.WriteLineAsync($"decision: {ExpectationMatcher.Summary(observed)}{(decision.Message is { } message ? $" ({message})" : "")}");
            await output.WriteLineAsync($"decided by: {decision.DecidedBy ?? (context.Metadata.LastOrDefault(m => m.Key == "rule").Value is { } rule ? $"rule:{rule}" : "no step objected")}");
            await output.WriteLineAsync($"policy: {harness.Snapshot.Version}");
            await output.WriteLineAsync($"request: {request.Method} {request.Scheme}://{request.Host}{request.Path} from {request.Source}");
            foreach (var (name, value) in observed.Headers)
            {
                await output.WriteLineAsync($"{(observed.Decision == "allow" ? "upstream" : "response")} header {name}: {value}");
            }

            var trace = new DecisionTrace(harness.Access, context, output);
            await trace.WriteAsync(cancellationToken);
            if (trace.Drifted)
            {
                await error.WriteLineAsync("warning: this explanation disagrees with the engine's match for at least one rule or quota; please report it");
            }

            return CommandLine.Ok;
        }
        catch (Exception ex) when (ex is DependencyUnavailableException or InvalidDataException)
        {
            await error.WriteLineAsync($"no decision: {ex.Message}");
            return PolicyCommand.Invalid;
        }
        finally
        {
            harness.Clock.Fixed = null;
        }
    }
}

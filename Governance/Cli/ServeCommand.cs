using EnvoyGovern.ExtAuthz;
using EnvoyGovern.ExtProc;
using EnvoyGovern.Governance.Canary;
using EnvoyGovern.Governance.TokenBudgets;

namespace EnvoyGovern.Cli;

/// <summary>
/// Runs both services in one process: the simplest deployment and the local demo. Each keeps its own
/// listeners, health and shutdown; if one stops, the other is stopped too, so the process never serves
/// half of the governance.
/// </summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        // With the in-memory canary store (the default), one instance for both: ExtProc counts responses
        // per cluster, ExtAuthz judges canaries by them. With Redis each reaches the shared store itself.
        // Likewise token counts: ExtProc adds the tokens of each answer, ExtAuthz refuses a spent tenant.
        var canaries = new InMemoryCanaryStore(TimeProvider.System);
        var tokens = new InMemoryTokenBudgetStore(TimeProvider.System);
        await using var extAuthz = ExtAuthzApp.Build(args, configurationPrefix: "ExtAuthz", services => Share(services, canaries, tokens));
        await using var extProc = ExtProcApp.Build(args, configurationPrefix: "ExtProc", services => Share(services, canaries, tokens));
        var runs = new[] { extAuthz.RunAsync(), extProc.RunAsync() };
        var first = await Task.WhenAny(runs);
        await Task.WhenAll(extAuthz.StopAsync(), extProc.StopAsync());
        await Task.WhenAll(runs);
        return first.IsFaulted ? 1 : CommandLine.Ok;
    }

    private static void Share(IServiceCollection services, InMemoryCanaryStore canaries, InMemoryTokenBudgetStore tokens)
    {
        services.AddSingleton(canaries);
        services.AddSingleton(tokens);
    }
}

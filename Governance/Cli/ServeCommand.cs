using EnvoyGovern.ExtAuthz;
using EnvoyGovern.ExtProc;
using EnvoyGovern.Governance.Canary;

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
        var canaries = new InMemoryCanaryStore(TimeProvider.System);
        await using var extAuthz = ExtAuthzApp.Build(args, configurationPrefix: "ExtAuthz", services => services.AddSingleton(canaries));
        await using var extProc = ExtProcApp.Build(args, configurationPrefix: "ExtProc", services => services.AddSingleton(canaries));
        var runs = new[] { extAuthz.RunAsync(), extProc.RunAsync() };
        var first = await Task.WhenAny(runs);
        await Task.WhenAll(extAuthz.StopAsync(), extProc.StopAsync());
        await Task.WhenAll(runs);
        return first.IsFaulted ? 1 : CommandLine.Ok;
    }
}

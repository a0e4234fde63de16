using EnvoyGovern.Cli;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Cli;

/// <summary><c>envoy-govern health</c> against a real admin listener, an unready one and a closed port.</summary>
public sealed class HealthCommandTests
{
    [Fact]
    public async Task RunAsync_ReadyService_ExitsZero()
    {
        await using var service = await RunningService.StartExtProcAsync();
        var output = new StringWriter();

        var exit = await HealthCommand.RunAsync([$"http://127.0.0.1:{service.AdminPort}/readyz"], output, new StringWriter());

        Assert.Equal(CommandLine.Ok, exit);
        Assert.Contains("200", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_PathTheAdminListenerDoesNotServe_ExitsUnhealthy()
    {
        await using var service = await RunningService.StartExtProcAsync();

        var exit = await HealthCommand.RunAsync([$"http://127.0.0.1:{service.AdminPort}/readyz", $"http://127.0.0.1:{service.AdminPort}/nothing"], new StringWriter(), new StringWriter());

        Assert.Equal(HealthCommand.Unhealthy, exit);
    }

    [Fact]
    public async Task RunAsync_ClosedPort_ExitsUnhealthy()
    {
        var output = new StringWriter();

        var exit = await HealthCommand.RunAsync([$"http://127.0.0.1:{LoopbackPorts.Free()}/readyz"], output, new StringWriter());

        Assert.Equal(HealthCommand.Unhealthy, exit);
        Assert.Contains("unreachable", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("file:///etc/passwd")]
    public async Task RunAsync_NotAnHttpUrl_IsAUsageError(string argument)
    {
        var error = new StringWriter();

        var exit = await HealthCommand.RunAsync([argument], new StringWriter(), error);

        Assert.Equal(CommandLine.UsageError, exit);
        Assert.Contains("usage:", error.ToString(), StringComparison.Ordinal);
    }
}

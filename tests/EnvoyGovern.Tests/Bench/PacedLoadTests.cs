using EnvoyGovern.LoadRequests;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Bench;

/// <summary>
/// The half-load driver of bench/load/run.sh (<c>LoadRequests paced</c>): its own HTTP/2 client gets every call of a
/// request file answered by a real service, and counts the calls that were not answered with a gRPC message.
/// </summary>
public sealed class PacedLoadTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("envoygovern-paced-").FullName;

    public PacedLoadTests() => LoadWorkload.Create(RepoPaths.Root).Write(_directory);

    [Fact]
    public async Task RunAsync_CheckSampleAgainstExtAuthz_EveryMeasuredCallAnswered()
    {
        await using var service = await RunningService.StartExtAuthzAsync(settings: $"--Policy:Directory={Path.Combine(_directory, LoadWorkload.SamplePolicyDirectory)}");

        var result = await RunAsync(service, LoadWorkload.CheckSample);

        Assert.Equal(300, result.Calls);
        Assert.Equal(0, result.Errors);
        Assert.InRange(result.P50Ms, 0.001, result.P99Ms);
        Assert.InRange(result.P99Ms, result.P50Ms, result.MaxMs);
        Assert.True(result.Rate > 0);
    }

    [Fact]
    public async Task RunAsync_ExtProcHeadersAgainstExtProc_EveryMeasuredCallAnswered()
    {
        await using var service = await RunningService.StartExtProcAsync(settings:
            [$"--Policy:Directory={Path.Combine(_directory, LoadWorkload.SamplePolicyDirectory)}", "--Waf:EvaluationTimeout=00:00:30", "--Waf:RegexTimeout=00:00:10"]);

        var result = await RunAsync(service, LoadWorkload.ExtProcHeaders);

        Assert.Equal((300, 0), (result.Calls, result.Errors));
    }

    [Fact]
    public async Task RunAsync_WrongService_EveryCallCountedAsAnError()
    {
        // ExtAuthz does not implement ExternalProcessor: a trailers-only UNIMPLEMENTED answer, no gRPC message.
        await using var service = await RunningService.StartExtAuthzAsync();

        var result = await RunAsync(service, LoadWorkload.ExtProcHeaders);

        // The warm-up's 150 calls count too: a run with any failed call is not measured.
        Assert.Equal(450, result.Errors);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<PacedResult> RunAsync(RunningService service, LoadCall call) =>
        await PacedLoad.RunAsync(new Uri($"http://127.0.0.1:{service.GrpcPort}{call.GrpcPath}"), File.ReadAllBytes(Path.Combine(_directory, call.File)),
            new PacedSettings(Rate: 300, Connections: 2, WarmupSeconds: 0.5, Seconds: 1), serverPid: 0);
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.Tests.Fixtures;
using EnvoyGovern.TestSupport;
using Grpc.Health.V1;
using Grpc.Net.Client;
using AuthorizationClient = Envoy.Service.Auth.V3.Authorization.AuthorizationClient;

namespace EnvoyGovern.Tests.Hosting;

/// <summary>The real ExtAuthz process, stopped with a real SIGTERM while calls are in flight.</summary>
public sealed partial class SigtermTests
{
    private const int Sigterm = 15;

    [LinuxFact]
    public async Task Sigterm_During200ConcurrentChecks_EveryCallAnsweredAndCleanExit()
    {
        var grpcPort = LoopbackPorts.Free();
        using var policy = new PolicyDirectory(("allow-all.yaml", PolicyDirectory.AllowAll));
        using var process = Start(grpcPort, LoopbackPorts.Free(), policy.Setting);
        try
        {
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
            await WaitServingAsync(channel, process);
            var client = new AuthorizationClient(channel);

            var calls = Enumerable.Range(0, 200)
                .Select(i => client.CheckAsync(new EnvoyCheckRequestBuilder().Path($"/v1/models/{i}").Build()).ResponseAsync)
                .ToArray();
            Assert.Equal(0, Kill(process.Id, Sigterm));
            var responses = await Task.WhenAll(calls);

            Assert.All(responses, r => Assert.Equal(0, r.Status.Code));
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(20)), "the process did not exit after SIGTERM");
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static Process Start(int grpcPort, int adminPort, string policySetting)
    {
        // The service's own build output, in the configuration these tests were built in.
        var configuration = typeof(SigtermTests).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;
        var dll = Path.Combine(RepoRoot(), "ExtAuthz", "bin", configuration, "net10.0", "EnvoyGovern.ExtAuthz.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing; build the solution first");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                dll,
                $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{grpcPort}",
                $"--Kestrel:Endpoints:Admin:Url=http://127.0.0.1:{adminPort}",
                // Keeps serving for a moment after SIGTERM, as in production, so every call already
                // sent is answered rather than refused at a closed listener.
                "--Hosting:DrainDelay=00:00:01",
                "--Logging:MinimumLevel=Warning",
                // Audit records go to stdout, a pipe this test host drains while other tests load the machine;
                // the production budget (100 ms) would fail calls closed here whenever the reader lags.
                "--Audit:WriteBudget=00:00:05",
                policySetting,
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitServingAsync(GrpcChannel channel, Process process)
    {
        var health = new Health.HealthClient(channel);
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            Assert.False(process.HasExited, "the service exited during start-up");
            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(1));
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
            }
            catch (Grpc.Core.RpcException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }
        }
    }

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "EnvoyGovern.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("EnvoyGovern.sln not found above the test directory");
    }


    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

using System.Text.Json;
using Envoy.Service.Auth.V3;
using Envoy.Service.ExtProc.V3;
using EnvoyGovern.LoadRequests;
using EnvoyGovern.Protos.Compat;
using EnvoyGovern.TestSupport;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.Tests.Bench;

/// <summary>
/// The files bench/load/run.sh sends with h2load: they decode back to the Envoy messages they were made from,
/// and the services give each the answer the harness means to time (checked the way the harness checks).
/// </summary>
public sealed class LoadRequestFilesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("envoygovern-load-").FullName;
    private readonly LoadWorkload _workload = LoadWorkload.Create(RepoPaths.Root);

    public LoadRequestFilesTests() => _workload.Write(_directory);

    [Fact]
    public void Write_EveryCall_FileDecodesToTheMessagesBuilt()
    {
        foreach (var call in LoadWorkload.Calls)
        {
            var read = LoadWorkload.Read(_directory, call);

            Assert.Equal<IEnumerable<Google.Protobuf.IMessage>>(_workload.Messages[call], read);
        }
    }

    [Fact]
    public void Write_CheckFiles_AreEnvoyCheckRequestsWithACredential()
    {
        var apiKey = (CheckRequest)Assert.Single(LoadWorkload.Read(_directory, LoadWorkload.CheckSample));
        var jwt = (CheckRequest)Assert.Single(LoadWorkload.Read(_directory, LoadWorkload.Check1000));

        foreach (var request in new[] { apiKey, jwt })
        {
            var http = request.Attributes.Request.Http;
            Assert.Equal(("POST", "/v1/chat/completions", "api.example.com"), (http.Method, http.Path, http.Host));
            Assert.Equal("gpt-4o", JsonDocument.Parse(http.Body).RootElement.GetProperty("model").GetString());
            Assert.Equal(http.Host, http.Headers[":authority"]);
        }

        Assert.Equal("demo-key-acme", apiKey.Attributes.Request.Http.Headers["x-api-key"]);
        Assert.StartsWith("Bearer ey", jwt.Attributes.Request.Http.Headers["authorization"], StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ExtProcFiles_AreTheStreamsEnvoyOpens()
    {
        var headersOnly = (ProcessingRequest)Assert.Single(LoadWorkload.Read(_directory, LoadWorkload.ExtProcHeaders));
        var buffered = LoadWorkload.Read(_directory, LoadWorkload.ExtProcBody).Cast<ProcessingRequest>().ToList();

        Assert.True(headersOnly.RequestHeaders.EndOfStream);
        Assert.Equal(BodySendMode.None, ExtProcWire.ReadProtocolConfig(headersOnly)?.RequestBodyMode);
        Assert.Equal(2, buffered.Count);
        Assert.False(buffered[0].RequestHeaders.EndOfStream);
        Assert.Equal(BodySendMode.Buffered, ExtProcWire.ReadProtocolConfig(buffered[0])?.RequestBodyMode);
        Assert.Contains(buffered[0].RequestHeaders.Headers.Headers, h => h.Key == "content-length" && h.RawValue.ToStringUtf8() == "4096");
        var body = buffered[1].RequestBody;
        Assert.True(body.EndOfStream);
        Assert.Equal(LoadWorkload.BodyBytes, body.Body.Length);
        Assert.Equal("gpt-4o", JsonDocument.Parse(body.Body.Memory).RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public void Decode_TruncatedBody_Throws()
    {
        var body = File.ReadAllBytes(Path.Combine(_directory, LoadWorkload.CheckSample.File));

        Assert.Throws<FormatException>(() => GrpcFrames.Decode(body.AsSpan(0, body.Length - 1)));
        Assert.Throws<FormatException>(() => GrpcFrames.Decode(body.AsSpan(0, 3)));
    }

    [Fact]
    public async Task Verify_CheckFilesAgainstExtAuthz_AllowedByTheIntendedRuleWithGrpcOk()
    {
        foreach (var call in new[] { LoadWorkload.CheckSample, LoadWorkload.Check1000 })
        {
            await using var service = await RunningService.StartExtAuthzAsync(settings: $"--Policy:Directory={Path.Combine(_directory, call.PolicyDirectory)}");

            Assert.Empty(await VerifyAsync(service, call));
        }
    }

    [Fact]
    public async Task Verify_ExtProcFilesAgainstExtProc_EveryMessageContinuedWithGrpcOk()
    {
        // A cold WAF on a busy test host can exceed its 150 ms evaluation budget or a regex its 100 ms (both waf_limit):
        // the files are the subject here.
        await using var service = await RunningService.StartExtProcAsync(settings:
            [$"--Policy:Directory={Path.Combine(_directory, LoadWorkload.SamplePolicyDirectory)}", "--Waf:EvaluationTimeout=00:00:30", "--Waf:RegexTimeout=00:00:10"]);

        Assert.Empty(await VerifyAsync(service, LoadWorkload.ExtProcHeaders));
        Assert.Empty(await VerifyAsync(service, LoadWorkload.ExtProcBody));
    }

    [Fact]
    public async Task Verify_AnswerOtherThanIntended_ReportsIt()
    {
        // The API key of the sample policy means nothing to the 1,000-rule policy: a denial, which must not pass.
        await using var service = await RunningService.StartExtAuthzAsync(settings: $"--Policy:Directory={Path.Combine(_directory, LoadWorkload.GeneratedPolicyDirectory)}");

        var problems = await VerifyAsync(service, LoadWorkload.CheckSample);

        Assert.Contains(problems, p => p.StartsWith("denied", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Verify_ExtProcWithoutContentInspection_ReportsIt()
    {
        // Without a policy ExtProc answers every message with continue: the right kinds, but nothing inspected.
        await using var service = await RunningService.StartExtProcAsync();

        var headers = await VerifyAsync(service, LoadWorkload.ExtProcHeaders);
        var body = await VerifyAsync(service, LoadWorkload.ExtProcBody);

        Assert.Contains(headers, p => p.Contains("prompt-injection inspection is off", StringComparison.Ordinal));
        Assert.Contains(body, p => p.Contains("the body was not inspected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Verify_WrongService_ReportsTheGrpcStatus()
    {
        await using var service = await RunningService.StartExtAuthzAsync();

        var problems = await VerifyAsync(service, LoadWorkload.ExtProcHeaders);

        Assert.Contains(problems, p => p.StartsWith("grpc-status 12", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<List<string>> VerifyAsync(RunningService service, LoadCall call)
    {
        using var client = CallVerifier.CreateClient();
        return await CallVerifier.VerifyAsync(client, new Uri($"http://127.0.0.1:{service.GrpcPort}"), call, File.ReadAllBytes(Path.Combine(_directory, call.File)), baseline: false);
    }
}

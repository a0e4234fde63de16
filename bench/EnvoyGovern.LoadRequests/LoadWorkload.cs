using Envoy.Service.Auth.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;

namespace EnvoyGovern.LoadRequests;

/// <summary>
/// Everything one harness run sends: the calls with their messages and the policies they are decided by.
/// Built fresh per run (a new RS256 key signs the JWT that the 1,000-rule policy trusts).
/// </summary>
internal sealed class LoadWorkload
{
    /// <summary>Rules in the generated policy.</summary>
    public const int Rules = 1000;

    /// <summary>Size of the buffered JSON body.</summary>
    public const int BodyBytes = 4096;

    public const string SamplePolicyDirectory = "policy-sample";
    public const string GeneratedPolicyDirectory = "policy-1000";

    public static readonly LoadCall CheckSample = new("check-sample", CallApi.Check, SamplePolicyDirectory, ExpectedRule: "chat-stable-version");
    public static readonly LoadCall Check1000 = new("check-1000", CallApi.Check, GeneratedPolicyDirectory, GeneratedPolicy.MatchingRule(Rules), ExpectCanaryChoice: true);
    public static readonly LoadCall ExtProcHeaders = new("extproc-headers", CallApi.ExtProc, SamplePolicyDirectory, ExpectInspection: true);
    public static readonly LoadCall ExtProcBody = new("extproc-body-4k", CallApi.ExtProc, SamplePolicyDirectory, ExpectInspection: true);

    private LoadWorkload(Dictionary<LoadCall, IMessage[]> messages, Dictionary<string, List<(string Name, string Text)>> policies)
    {
        Messages = messages;
        Policies = policies;
    }

    public static IReadOnlyList<LoadCall> Calls { get; } = [CheckSample, Check1000, ExtProcHeaders, ExtProcBody];

    /// <summary>The messages of each call, in the order they go on the stream.</summary>
    public IReadOnlyDictionary<LoadCall, IMessage[]> Messages { get; }

    /// <summary>Policy directories by name: their files (name, YAML).</summary>
    public IReadOnlyDictionary<string, List<(string Name, string Text)>> Policies { get; }

    public static LoadWorkload Create(string repoRoot)
    {
        using var signer = new Signer();
        var messages = new Dictionary<LoadCall, IMessage[]>
        {
            // An API key of the sample policy: tenant acme, allowed by chat-stable-version.
            [CheckSample] = [Requests.Chat("x-api-key", "demo-key-acme")],
            // A JWT the policy validates once and then finds in its token cache, as a client's repeated calls do.
            [Check1000] = [Requests.Chat("authorization", "Bearer " + signer.Token("load"))],
            [ExtProcHeaders] = ExtProcSequences.HeadersOnly(),
            [ExtProcBody] = ExtProcSequences.BufferedBody(BodyBytes),
        };
        var policies = new Dictionary<string, List<(string, string)>>
        {
            [SamplePolicyDirectory] = SamplePolicy.Files(repoRoot),
            [GeneratedPolicyDirectory] = [("generated.yaml", GeneratedPolicy.Yaml(Rules, signer.Jwks(), canary: true))],
        };
        return new LoadWorkload(messages, policies);
    }

    /// <summary>Writes each call's request body and each policy directory into <paramref name="directory"/>.</summary>
    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var (call, messages) in Messages)
        {
            File.WriteAllBytes(Path.Combine(directory, call.File), GrpcFrames.Encode(messages));
        }

        foreach (var (name, files) in Policies)
        {
            var policy = Path.Combine(directory, name);
            Directory.CreateDirectory(policy);
            foreach (var (file, text) in files)
            {
                File.WriteAllText(Path.Combine(policy, file), text);
            }
        }
    }

    /// <summary>Reads a call's request body back as the messages the service will parse.</summary>
    public static IReadOnlyList<IMessage> Read(string directory, LoadCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var body = File.ReadAllBytes(Path.Combine(directory, call.File));
        return call.Api == CallApi.Check
            ? GrpcFrames.Decode(body, CheckRequest.Parser)
            : GrpcFrames.Decode(body, ProcessingRequest.Parser);
    }
}

using EnvoyGovern.LoadRequests;

// write DIR: request bodies and policies for bench/load/run.sh.
// verify DIR ADDRESS CALL [--baseline]: one call of that file, its answer checked (exit 1 when wrong).
if (args is ["write", var output])
{
    LoadWorkload.Create(RepoRoot.Path).Write(output);
    Console.WriteLine($"wrote {string.Join(", ", LoadWorkload.Calls.Select(c => c.File))} and {LoadWorkload.SamplePolicyDirectory}/, {LoadWorkload.GeneratedPolicyDirectory}/ to {output}");
    return 0;
}

if (args is ["verify", var directory, var address, var name, .. var rest] && LoadWorkload.Calls.FirstOrDefault(c => c.Name == name) is { } call)
{
    var baseline = rest.Contains("--baseline");
    using var client = CallVerifier.CreateClient();
    var problems = await CallVerifier.VerifyAsync(client, new Uri(address), call, File.ReadAllBytes(Path.Combine(directory, call.File)), baseline);
    Console.WriteLine(problems.Count == 0
        ? $"verified {name} at {address}: grpc-status 0, the intended answer"
        : $"WRONG ANSWER {name} at {address}: {string.Join("; ", problems)}");
    return problems.Count == 0 ? 0 : 1;
}

Console.Error.WriteLine($"usage: write DIR | verify DIR http://127.0.0.1:PORT ({string.Join("|", LoadWorkload.Calls.Select(c => c.Name))}) [--baseline]");
return 2;

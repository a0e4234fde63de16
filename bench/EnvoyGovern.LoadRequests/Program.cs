using System.Globalization;
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

// paced URL FILE RATE CONNECTIONS WARMUP_SECONDS SECONDS [SERVER_PID]: evenly spread calls over a few HTTP/2
// connections (PacedLoad); prints one line of figures (PacedResult.ToTsv), exit 1 when a call failed.
if (args is ["paced", var url, var file, var rate, var connections, var warmup, var seconds, .. var pid])
{
    var settings = new PacedSettings(double.Parse(rate, CultureInfo.InvariantCulture), int.Parse(connections, CultureInfo.InvariantCulture),
        double.Parse(warmup, CultureInfo.InvariantCulture), double.Parse(seconds, CultureInfo.InvariantCulture));
    var result = await PacedLoad.RunAsync(new Uri(url), File.ReadAllBytes(file), settings, pid is [var p] ? int.Parse(p, CultureInfo.InvariantCulture) : 0);
    Console.WriteLine(result.ToTsv());
    return result.Errors == 0 ? 0 : 1;
}

Console.Error.WriteLine($"usage: write DIR | verify DIR http://127.0.0.1:PORT ({string.Join("|", LoadWorkload.Calls.Select(c => c.Name))}) [--baseline]"
    + " | paced URL FILE RATE CONNECTIONS WARMUP_SECONDS SECONDS [SERVER_PID]");
return 2;

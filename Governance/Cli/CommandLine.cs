namespace EnvoyGovern.Cli;

/// <summary>Dispatches <c>envoy-govern</c> sub-commands.</summary>
internal static class CommandLine
{
    public const int Ok = 0;
    public const int UsageError = 64;

    public static async Task<int> RunAsync(string[] args)
    {
        var command = args.Length == 0 || args[0].StartsWith('-') ? "serve" : args[0];
        var rest = args.Length == 0 || args[0].StartsWith('-') ? args : args[1..];
        switch (command)
        {
            case "serve":
                return await ServeCommand.RunAsync(rest);
            case "policy":
                return await PolicyCommand.RunAsync(rest, Console.Out, Console.Error);
            case "audit":
                return await AuditCommand.RunAsync(rest, Console.Out, Console.Error);
            case "demo":
                return await DemoCommand.RunAsync(rest, Console.Out, Console.Error);
            case "health":
                return await HealthCommand.RunAsync(rest, Console.Out, Console.Error);
            case "help" or "--help" or "-h":
                await Console.Out.WriteLineAsync(Usage);
                return Ok;
            default:
                await Console.Error.WriteLineAsync($"envoy-govern: unknown command '{command}'.\n{Usage}");
                return UsageError;
        }
    }

    private const string Usage = """
        usage: envoy-govern <command> [options]

        commands:
          serve    run ExtAuthz (gRPC 127.0.0.1:9001, admin :9101) and ExtProc (gRPC :9002, admin :9102)
                   in one process. Endpoints are standard Kestrel configuration under ExtAuthz:Kestrel and
                   ExtProc:Kestrel, e.g. ExtAuthz__Kestrel__Endpoints__Grpc__Url=http://0.0.0.0:9001
          policy lint DIR   validate a policy directory; every error with file:line:column, exit 1 if invalid
          policy test DIR   run the tests in DIR/tests/*.yaml against the policy in DIR through the real
                            decision pipeline; PASS/FAIL per test, then "N passed, N failed"; exit 1 on a
                            failed test or an invalid policy or test file
          policy explain DIR --request FILE
                            decide the request in FILE (a YAML `request:` block, optional `time:`) and show
                            every document, identity source, attribute, rule and quota condition by condition
          policy schema     print the JSON Schema of policy documents (for editors)
          audit verify FILE [--key KEYFILE] [--partial]
                            check a file of audit records (NDJSON, "-" for stdin): the hash chain of every
                            stream and, with the checkpoint key, every signed checkpoint; names the first
                            altered, deleted or reordered record. Exit 0 intact, 1 broken, 2 usage or I/O error
          demo token --tenant T [--groups a,b] [--subject S] [--minutes N] [--key FILE]
                            print an ES256 bearer token from the demo issuer that envoy-config/policy trusts
                            (iss https://issuer.demo.envoygovern.io, aud api.example.com, exp in N minutes,
                            default 60, at most 1440); FILE defaults to envoy-config/demo-jwt/demo-issuer.key.pem
                            in the current directory. That key is public: never trust this issuer outside the demo
          health [URL...]   GET each admin URL (default: http://127.0.0.1:9101/readyz and :9102/readyz, the
                            readiness of both services); exit 0 when all answer 2xx, 1 otherwise. The container
                            image's HEALTHCHECK
          help     show this text
        """;
}

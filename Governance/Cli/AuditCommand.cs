using EnvoyGovern.Governance.Audit.Chain;
using EnvoyGovern.Governance.Audit.Verification;

namespace EnvoyGovern.Cli;

/// <summary><c>envoy-govern audit ...</c>: checks exported audit records.</summary>
internal static class AuditCommand
{
    /// <summary>Exit code for a broken chain.</summary>
    public const int Broken = 1;

    /// <summary>Exit code for bad arguments or an unreadable file (audit verify keeps 0/1/2 for CI).</summary>
    public const int UsageOrIoError = 2;

    public const string Usage = "usage: envoy-govern audit verify FILE|- [--key KEYFILE] [--partial]";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length < 2 || args[0] != "verify" || !TryParse(args[1..], out var file, out var keyFile, out var partial))
        {
            await error.WriteLineAsync(Usage);
            return UsageOrIoError;
        }

        CheckpointSigner? signer = null;
        try
        {
            if (keyFile is not null)
            {
                signer = CheckpointSigner.FromFile(keyFile);
            }

            await using var input = file == "-" ? Console.OpenStandardInput() : File.OpenRead(file);
            var result = await AuditChainVerifier.VerifyAsync(input, signer, partial, CancellationToken.None);
            return await ReportAsync(result, signer is not null, output, error);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            await error.WriteLineAsync($"envoy-govern audit verify: {ex.Message}");
            return UsageOrIoError;
        }
    }

    private static async Task<int> ReportAsync(AuditVerificationResult result, bool keyed, TextWriter output, TextWriter error)
    {
        if (result.Break is { } broken)
        {
            await error.WriteLineAsync($"BROKEN ({broken.Kind.ToString().ToLowerInvariant()}): {broken.Message}");
            await error.WriteLineAsync($"{result.Records} record(s) before it were intact");
            return Broken;
        }

        await output.WriteLineAsync($"OK: {result.Records} record(s) in {result.Streams} stream(s), chains intact");
        await output.WriteLineAsync(keyed
            ? $"checkpoints: {result.CheckpointsVerified} verified, {result.CheckpointsUnchecked} signed with another key"
            : $"checkpoints: {result.CheckpointsUnchecked} not checked (no --key); without the key a rewritten chain cannot be told from the original");
        if (result.UnsignedTail > 0)
        {
            await output.WriteLineAsync($"{result.UnsignedTail} record(s) after the last checkpoint of their stream are chained but not yet signed");
        }

        return CommandLine.Ok;
    }

    private static bool TryParse(string[] args, out string file, out string? keyFile, out bool partial)
    {
        file = "";
        keyFile = null;
        partial = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--key" when i + 1 < args.Length:
                    keyFile = args[++i];
                    break;
                case "--partial":
                    partial = true;
                    break;
                case var value when !value.StartsWith("--", StringComparison.Ordinal) && file.Length == 0:
                    file = value;
                    break;
                default:
                    return false;
            }
        }

        return file.Length > 0;
    }
}

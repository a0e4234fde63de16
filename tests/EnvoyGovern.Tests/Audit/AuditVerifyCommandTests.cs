using System.Text;
using EnvoyGovern.Cli;
using EnvoyGovern.Governance.Audit.Chain;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Audit;

/// <summary><c>envoy-govern audit verify</c> on intact and tampered files, through the command's entry point.</summary>
public sealed class AuditVerifyCommandTests : IDisposable
{
    private readonly AuditTestKit _kit = new();

    [Fact]
    public async Task Verify_IntactFileWithKey_Exit0AndCheckpointsVerified()
    {
        var (lines, key) = await RecordsAsync(7, every: 3, finalCheckpoint: false);

        var run = await RunAsync("verify", _kit.Lines(lines), "--key", key);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("OK: 9 record(s) in 1 stream(s)", run.Output, StringComparison.Ordinal);
        Assert.Contains("checkpoints: 2 verified", run.Output, StringComparison.Ordinal);
        Assert.Contains("1 record(s) after the last checkpoint", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_AlteredRecord_Exit1NamingIt()
    {
        var (lines, _) = await RecordsAsync(5);
        lines[2] = lines[2].Replace("test record record-3", "test record record-X", StringComparison.Ordinal);

        var run = await RunAsync("verify", _kit.Lines(lines));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("BROKEN (altered): line 3 (event.id record-3", run.Error, StringComparison.Ordinal);
        Assert.Contains("seq 3)", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_DeletedRecord_Exit1NamingTheMissingSequence()
    {
        var (lines, _) = await RecordsAsync(5);
        lines.RemoveAt(1);

        var run = await RunAsync("verify", _kit.Lines(lines));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("BROKEN (deleted)", run.Error, StringComparison.Ordinal);
        Assert.Contains("record seq 2 is missing between line 1 and line 2", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_SwappedRecords_Exit1Reordered()
    {
        var (lines, _) = await RecordsAsync(5);
        (lines[3], lines[4]) = (lines[4], lines[3]);

        var run = await RunAsync("verify", _kit.Lines(lines));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("BROKEN (reordered): line 4 (event.id record-5", run.Error, StringComparison.Ordinal);
        Assert.Contains("it comes before seq 4 (line 5)", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_DuplicatedRecord_Exit1Reordered()
    {
        var (lines, _) = await RecordsAsync(4);
        lines.Insert(3, lines[1]);

        var run = await RunAsync("verify", _kit.Lines(lines));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("BROKEN (reordered): line 4", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_RecordAlteredAndChainRehashed_OnlyTheKeyFindsIt()
    {
        var (lines, key) = await RecordsAsync(6, every: 10);
        var forged = Rehash(lines, 1, l => l.Replace("test record record-2", "test record forged", StringComparison.Ordinal));
        var file = _kit.Lines(forged);

        var withoutKey = await RunAsync("verify", file);
        var withKey = await RunAsync("verify", file, "--key", key);

        Assert.Equal(0, withoutKey.ExitCode);
        Assert.Contains("not checked (no --key)", withoutKey.Output, StringComparison.Ordinal);
        Assert.Equal(1, withKey.ExitCode);
        Assert.Contains("BROKEN (badsignature): line 7", withKey.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_StreamStartingMidway_Exit1UnlessPartial()
    {
        var (lines, _) = await RecordsAsync(5);
        var file = _kit.Lines(lines.Skip(2));

        var strict = await RunAsync("verify", file);
        var partial = await RunAsync("verify", file, "--partial");

        Assert.Equal(1, strict.ExitCode);
        Assert.Contains("records 1 to 2 are missing", strict.Error, StringComparison.Ordinal);
        Assert.Equal(0, partial.ExitCode);
    }

    [Fact]
    public async Task Verify_NotARecord_Exit1Malformed()
    {
        var run = await RunAsync("verify", _kit.Lines(["{\"@t\":\"2026-11-26T12:00:00Z\",\"@m\":\"a diagnostic log line\"}"]));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("BROKEN (malformed): line 1 is not a chained audit record", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("verify")]
    [InlineData("check", "file")]
    [InlineData("verify", "file", "--unknown")]
    public async Task Verify_BadArguments_Exit2WithUsage(params string[] args)
    {
        var run = await RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("usage: envoy-govern audit verify", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_MissingFile_Exit2()
    {
        var run = await RunAsync("verify", Path.Combine(_kit.Folder, "missing.ndjson"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("missing.ndjson", run.Error, StringComparison.Ordinal);
    }

    private async Task<(List<string> Lines, string Key)> RecordsAsync(int count, int every = 1000, bool finalCheckpoint = true)
    {
        var key = _kit.KeyFile();
        var pipeline = new CapturingAuditPipeline();
        var recorder = _kit.Recorder(pipeline, o =>
        {
            o.Checkpoint.KeyFile = key;
            o.Checkpoint.Every = every;
        });
        await AuditTestKit.WriteAsync(recorder, count);
        if (finalCheckpoint)
        {
            await recorder.CheckpointAsync(CancellationToken.None);
        }

        return ([.. pipeline.Entries.Select(e => Encoding.UTF8.GetString(e.Utf8Json.Span))], key);
    }

    // What an attacker without the key can do: change a record and recompute every hash after it.
    private static List<string> Rehash(List<string> lines, int index, Func<string, string> change)
    {
        var result = new List<string>(lines);
        var previous = index == 0 ? AuditChainFormat.Genesis : Hash(lines[index - 1]);
        for (var i = index; i < lines.Count; i++)
        {
            AuditChainFormat.TryOpen(Encoding.UTF8.GetBytes(lines[i]), out var body, out var stated);
            var text = Encoding.UTF8.GetString(body);
            var prevAt = text.IndexOf($"\"{AuditChainFormat.PreviousField}\":\"", StringComparison.Ordinal) + AuditChainFormat.PreviousField.Length + 4;
            text = text[..prevAt] + previous + text[(prevAt + 64)..];
            if (i == index)
            {
                text = change(text);
            }

            var bytes = Encoding.UTF8.GetBytes(text);
            var hash = AuditChainFormat.Hash(bytes);
            result[i] = Encoding.UTF8.GetString(AuditChainFormat.Seal(bytes, hash));
            previous = hash;
            _ = stated;
        }

        return result;
    }

    private static string Hash(string line)
    {
        AuditChainFormat.TryOpen(Encoding.UTF8.GetBytes(line), out _, out var hash);
        return hash;
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await AuditCommand.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    public void Dispose() => _kit.Dispose();
}

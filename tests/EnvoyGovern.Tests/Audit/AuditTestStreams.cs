using System.Text;

namespace EnvoyGovern.Tests.Audit;

/// <summary>A stdout that blocks in Write until released (a stuck log collector).</summary>
internal sealed class StuckStream : MemoryStream
{
    public ManualResetEventSlim Entered { get; } = new();

    public ManualResetEventSlim Release { get; } = new();

    public override void Write(byte[] buffer, int offset, int count)
    {
        Entered.Set();
        Release.Wait(TimeSpan.FromSeconds(10));
        base.Write(buffer, offset, count);
    }

    public IEnumerable<long> Sequences() => Encoding.UTF8.GetString(ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("envoygovern.audit.chain.seq").GetInt64());

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Entered.Dispose();
            Release.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A stdout whose first write fails (a pipe that broke once).</summary>
internal sealed class FailingOnceStream : MemoryStream
{
    private bool _failed;

    public override void Write(byte[] buffer, int offset, int count)
    {
        if (!_failed)
        {
            _failed = true;
            throw new IOException("broken pipe");
        }

        base.Write(buffer, offset, count);
    }
}

/// <summary>A stdout whose every write fails.</summary>
internal sealed class FailingStream : MemoryStream
{
    public override void Write(byte[] buffer, int offset, int count) => throw new IOException("broken pipe");
}

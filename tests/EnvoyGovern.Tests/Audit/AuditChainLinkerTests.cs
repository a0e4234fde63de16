using System.Buffers;
using System.Text;
using EnvoyGovern.Governance.Audit.Chain;

namespace EnvoyGovern.Tests.Audit;

/// <summary>The chain step: the record closed with its chain members, hashed as the format says, sealed in place.</summary>
public sealed class AuditChainLinkerTests
{
    [Fact]
    public void SealInPlace_OpenRecord_StatedHashIsTheFormatsHashOfTheBody()
    {
        var linker = new AuditChainLinker("extauthz-0123456789abcdef");

        var record = Seal(linker, "{\"a\":1");

        Assert.True(AuditChainFormat.TryOpen(record, out var body, out var stated));
        Assert.Equal(AuditChainFormat.Hash(body), stated);
        Assert.StartsWith("{\"a\":1,\"envoygovern.audit.chain.stream\":\"extauthz-0123456789abcdef\",\"envoygovern.audit.chain.seq\":1,", Encoding.UTF8.GetString(record), StringComparison.Ordinal);
    }

    [Fact]
    public void SealInPlace_BufferFullBeforeTheTail_GrowsAndHashesTheWholeBody()
    {
        var linker = new AuditChainLinker("extauthz-0123456789abcdef");
        // Exactly full: the tail (and the closing brace hashed past the written end) needs a larger array.
        var buffer = new ArrayBufferWriter<byte>(64);
        buffer.Write(Encoding.UTF8.GetBytes("{\"a\":\"" + new string('x', 64 - 7) + "\""));
        Assert.Equal(buffer.Capacity, buffer.WrittenCount);

        linker.SealInPlace(buffer);

        Assert.True(AuditChainFormat.TryOpen(buffer.WrittenSpan, out var body, out var stated));
        Assert.Equal(AuditChainFormat.Hash(body), stated);
    }

    [Fact]
    public void SealInPlace_SecondRecord_PrevIsTheFirstRecordsHash()
    {
        var linker = new AuditChainLinker("extauthz-0123456789abcdef");
        var first = Seal(linker, "{\"a\":1");

        var second = Seal(linker, "{\"a\":2");

        Assert.True(AuditChainFormat.TryOpen(first, out _, out var firstHash));
        Assert.Contains($",\"envoygovern.audit.chain.seq\":2,\"envoygovern.audit.chain.prev\":\"{firstHash}\",", Encoding.UTF8.GetString(second), StringComparison.Ordinal);
    }

    private static byte[] Seal(AuditChainLinker linker, string open)
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write(Encoding.UTF8.GetBytes(open));
        linker.SealInPlace(buffer);
        var record = buffer.WrittenSpan.ToArray();
        linker.Advance(record);
        return record;
    }
}

using System.Buffers;
using System.Text;
using EnvoyGovern.Governance.Audit.Chain;

namespace EnvoyGovern.Tests.Audit;

/// <summary>The chain step in two parts: hashed outside the chain lock, sealed under it, the same hash as in one.</summary>
public sealed class AuditChainLinkerTests
{
    [Fact]
    public void SealInPlace_AfterOpen_StatedHashIsTheFormatsHashOfTheBody()
    {
        var linker = new AuditChainLinker("extauthz-0123456789abcdef");

        var record = Seal(linker, "{\"a\":1");

        Assert.True(AuditChainFormat.TryOpen(record, out var body, out var stated));
        Assert.Equal(AuditChainFormat.Hash(body), stated);
        Assert.StartsWith("{\"a\":1,\"envoygovern.audit.chain.stream\":\"extauthz-0123456789abcdef\",\"envoygovern.audit.chain.seq\":1,", Encoding.UTF8.GetString(record), StringComparison.Ordinal);
    }

    [Fact]
    public void SealInPlace_AfterAnOpenThatWasNeverSealed_HashesOnlyTheNewRecord()
    {
        var linker = new AuditChainLinker("extauthz-0123456789abcdef");
        var abandoned = new ArrayBufferWriter<byte>();
        abandoned.Write("{\"lost\":true"u8);
        linker.Open(abandoned);

        var record = Seal(linker, "{\"a\":2");

        Assert.True(AuditChainFormat.TryOpen(record, out var body, out var stated));
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
        var opened = linker.Open(buffer);
        linker.SealInPlace(buffer, opened);
        var record = buffer.WrittenSpan.ToArray();
        linker.Advance(record);
        return record;
    }
}

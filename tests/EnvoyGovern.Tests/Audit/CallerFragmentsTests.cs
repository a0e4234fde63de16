using System.Buffers;
using System.Runtime.CompilerServices;
using EnvoyGovern.ExtAuthz.Audit;
using EnvoyGovern.ExtAuthz.Identity;
using EnvoyGovern.Governance.Audit.Recording;

namespace EnvoyGovern.Tests.Audit;

/// <summary>The Check record's caller members kept per identity object: the bytes the record would write, never another caller's.</summary>
public sealed class CallerFragmentsTests
{
    private static readonly CallerIdentity Hostile =
        new("apiKey", "sub\"ject},\"injected\":{\u2028 é", "t\\n", ["g\u00e9", "ops\u0001"], CredentialId: "key\"1");

    [Fact]
    public void Find_SecondMissInARow_KeepsTheBytesTheRecordWrites()
    {
        var fragments = new CallerFragments();

        Assert.Null(fragments.Find(Hostile));
        var entry = fragments.Find(Hostile);

        Assert.NotNull(entry);
        Assert.Same(Hostile, entry.Identity);
        Assert.Equal(Written(w => CallerFragments.WriteUser(w, Hostile)), entry.User);
        Assert.Equal(Written(w => CallerFragments.WriteIdentity(w, Hostile)), entry.Identified);
        Assert.Same(entry, fragments.Find(Hostile));
    }

    [Fact]
    public void Find_EqualValuesInAnotherObject_NotTheKeptEntry()
    {
        var fragments = new CallerFragments();
        var identity = new CallerIdentity("apiKey", "acme-chat-service", "acme", ["developers"], CredentialId: "acme-demo");
        fragments.Find(identity);
        fragments.Find(identity);

        // Compared by reference: an identity made per call (mTLS) is written by the caller, never matched to an entry.
        var copy = identity with { };

        Assert.NotSame(identity, copy);
        Assert.NotSame(identity, fragments.Find(copy)?.Identity);
    }

    [Fact]
    public void Find_ManyIdentitiesMadePerCall_NoEntryForAnyOfThem()
    {
        var fragments = new CallerFragments();

        for (var i = 0; i < 1000; i++)
        {
            var identity = new CallerIdentity("mtls", $"spiffe://cluster.local/ns/a/sa/{i}", null, []);

            Assert.Null(fragments.Find(identity));
        }
    }

    [Fact]
    public void Find_OtherIdentitySharingTheObjectHash_NoEntryForIt()
    {
        // Object hashes have 26 bits: among some thousands of objects two share one (birthday bound), and a second
        // miss must be the same object, not an object with the same hash.
        var byHash = new Dictionary<int, CallerIdentity>();
        CallerIdentity first, second;
        for (var i = 0; ; i++)
        {
            var identity = new CallerIdentity("mtls", $"spiffe://cluster.local/ns/a/sa/{i}", null, []);
            if (byHash.TryGetValue(RuntimeHelpers.GetHashCode(identity), out var earlier))
            {
                (first, second) = (earlier, identity);
                break;
            }

            byHash.Add(RuntimeHelpers.GetHashCode(identity), identity);
        }

        var fragments = new CallerFragments();

        Assert.Null(fragments.Find(first));
        Assert.Null(fragments.Find(second));
    }

    private static byte[] Written(Action<AuditRecordWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new AuditRecordWriter(buffer);
        write(writer);
        return buffer.WrittenSpan.ToArray();
    }
}
